namespace EnvoyGovern.ExtProc.PromptInjection;

/// <summary>
/// Chat-template tokens and role markers in caller text, which try to make the model read what follows
/// as a system or assistant turn: <c>&lt;|im_start|&gt;system</c>, <c>[INST]</c>, <c>&lt;&lt;SYS&gt;&gt;</c>,
/// a line starting <c>system:</c>, or a JSON <c>"role": "system"</c>.
/// </summary>
internal static class RoleMarkers
{
    private static readonly string[] Tokens =
    [
        "<|im_start|>", "<|im_end|>", "<|system|>", "<|assistant|>", "<|user|>", "<|endoftext|>", "<|eot_id|>",
        "<|start_header_id|>", "[inst]", "[/inst]", "<<sys>>", "<</sys>>", "### system", "### instruction", "### assistant",
    ];

    // Every token starts with one of these, rare in prose: one vectorized pass finds the places worth comparing.
    private static readonly System.Buffers.SearchValues<char> TokenStarts = System.Buffers.SearchValues.Create(Tokens.Select(t => t[0]).Distinct().ToArray());

    private static readonly string[] LineRoles = ["system:", "assistant:", "developer:", "### response:"];

    /// <summary>Adds a role-spoof signal for the first marker in <paramref name="folded"/> (lower-case text).</summary>
    public static void Find(string folded, List<InjectionSignal> signals)
    {
        var first = FirstToken(folded);

        for (var line = 0; line < folded.Length && line < first; line = folded.IndexOf('\n', line) is var next and >= 0 ? next + 1 : folded.Length)
        {
            var start = line;
            while (start < folded.Length && folded[start] is ' ' or '\t')
            {
                start++;
            }

            foreach (var role in LineRoles)
            {
                if (string.CompareOrdinal(folded, start, role, 0, role.Length) == 0)
                {
                    first = Math.Min(first, start);
                }
            }
        }

        var json = JsonRole(folded);
        if (json >= 0)
        {
            first = Math.Min(first, json);
        }

        if (first != int.MaxValue)
        {
            signals.Add(new("pi.role_spoof", PromptInjectionDetector.RoleSpoof, "a chat-template token or role marker in caller text", first));
        }
    }

    // The earliest place any token starts, or int.MaxValue.
    private static int FirstToken(string folded)
    {
        for (var at = folded.AsSpan().IndexOfAny(TokenStarts); at >= 0;)
        {
            var rest = folded.AsSpan(at);
            foreach (var token in Tokens)
            {
                if (rest.StartsWith(token, StringComparison.Ordinal))
                {
                    return at;
                }
            }

            var next = folded.AsSpan(at + 1).IndexOfAny(TokenStarts);
            at = next < 0 ? -1 : at + 1 + next;
        }

        return int.MaxValue;
    }

    // "role" : "system" (or assistant, developer) with any spacing.
    private static int JsonRole(string folded)
    {
        for (var at = folded.IndexOf("\"role\"", StringComparison.Ordinal); at >= 0; at = folded.IndexOf("\"role\"", at + 6, StringComparison.Ordinal))
        {
            var i = at + 6;
            while (i < folded.Length && folded[i] is ' ' or '\t' or '\n' or '\r')
            {
                i++;
            }

            if (i >= folded.Length || folded[i] != ':')
            {
                continue;
            }

            i++;
            while (i < folded.Length && folded[i] is ' ' or '\t' or '\n' or '\r')
            {
                i++;
            }

            var rest = folded.AsSpan(i);
            if (rest.StartsWith("\"system\"") || rest.StartsWith("\"assistant\"") || rest.StartsWith("\"developer\""))
            {
                return at;
            }
        }

        return -1;
    }
}
