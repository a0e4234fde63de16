namespace EnvoyGovern.Governance.Policy.Loading;

/// <summary>Checks across documents: names that must be unique in the whole set.</summary>
internal static class SetValidation
{
    public static void Check(IReadOnlyList<(LoadedDocument Loaded, ErrorSink Sink)> documents)
    {
        var names = new Unique("policy name");
        var rules = new Unique("rule name");
        var quotas = new Unique("quota name");
        var budgets = new Unique("token budget name");
        var keyIds = new Unique("API key id");
        var keyHashes = new Unique("API key hash");
        var models = new Unique("model name");
        var modelIds = new Unique("model version id");
        foreach (var (loaded, sink) in documents)
        {
            var doc = loaded.Document;
            names.Add(doc.Metadata.Name, "/metadata/name", loaded, sink);
            for (var i = 0; i < doc.Spec.Rules.Count; i++)
            {
                rules.Add(doc.Spec.Rules[i].Name, $"/spec/rules/{i}/name", loaded, sink);
            }

            for (var i = 0; i < doc.Spec.Quotas.Count; i++)
            {
                quotas.Add(doc.Spec.Quotas[i].Name, $"/spec/quotas/{i}/name", loaded, sink);
            }

            for (var i = 0; i < doc.Spec.TokenBudgets.Count; i++)
            {
                budgets.Add(doc.Spec.TokenBudgets[i].Name, $"/spec/tokenBudgets/{i}/name", loaded, sink);
            }

            for (var s = 0; s < doc.Spec.Identity.Count; s++)
            {
                var keys = doc.Spec.Identity[s].ApiKey?.Keys ?? [];
                for (var k = 0; k < keys.Count; k++)
                {
                    keyIds.Add(keys[k].Id, $"/spec/identity/{s}/apiKey/keys/{k}/id", loaded, sink);
                    keyHashes.Add(keys[k].Sha256, $"/spec/identity/{s}/apiKey/keys/{k}/sha256", loaded, sink);
                }
            }

            var catalog = doc.Spec.Models?.Catalog ?? [];
            for (var m = 0; m < catalog.Count; m++)
            {
                models.Add(catalog[m].Name, $"/spec/models/catalog/{m}/name", loaded, sink);
                for (var v = 0; v < catalog[m].Versions.Count; v++)
                {
                    modelIds.Add(catalog[m].Versions[v].Id, $"/spec/models/catalog/{m}/versions/{v}/id", loaded, sink);
                }
            }
        }
    }

    private sealed class Unique(string what)
    {
        private readonly Dictionary<string, string> _first = new(StringComparer.Ordinal);

        public void Add(string value, string pointer, LoadedDocument loaded, ErrorSink sink)
        {
            var place = $"{loaded.File} (document {loaded.Index + 1}) at {pointer}";
            if (!_first.TryAdd(value, place))
            {
                sink.Add(pointer, $"duplicate {what} '{value}': already used in {_first[value]}; each must be unique across the policy directory");
            }
        }
    }
}
