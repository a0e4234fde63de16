namespace EnvoyGovern.ExtProc.PromptInjection;

/// <summary>One reason a text scored: a rule, its weight, and where in the text (character offset).</summary>
internal sealed record InjectionSignal(string RuleId, int Weight, string Message, int Offset);

/// <summary>A text's prompt-injection score (0 to 100) and the signals that made it.</summary>
internal sealed record InjectionResult(int Score, IReadOnlyList<InjectionSignal> Signals)
{
    public static readonly InjectionResult None = new(0, []);
}

/// <summary>
/// Scores caller-supplied text for prompt injection: instruction-override and prompt-leak phrases
/// (words near each other, in English and a few other languages, look-alike letters folded), jailbreak and
/// persona phrases, chat-template tokens and role markers that spoof the system or assistant, text
/// hidden in Unicode tag characters or behind invisible and bidi controls, and base64 or hex payloads
/// (decoded and read again). Each rule counts once, with its weight; the score is their sum, capped at
/// 100. Deterministic and linear in the text; thresholds come from policy.
/// </summary>
internal static class PromptInjectionDetector
{
    public const int Override = 70;
    public const int RoleSpoof = 60;
    public const int HiddenTags = 60;
    public const int PromptLeak = 40;
    public const int Jailbreak = 40;
    public const int Persona = 20;
    public const int Invisible = 20;
    public const int Encoded = 20;

    /// <summary>Scores <paramref name="text"/>.</summary>
    public static InjectionResult Score(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var signals = new List<InjectionSignal>();
        var (visible, hidden, invisible) = HiddenText.Split(text);
        if (hidden.Length > 0)
        {
            signals.Add(new("pi.hidden_tags", HiddenTags, "text hidden in Unicode tag characters", hidden.Offset));
            Phrases(Fold(hidden.Text), signals, hidden.Offset, "hidden text: ");
        }

        if (invisible.Count >= 3 || invisible.BidiOverride)
        {
            signals.Add(new("pi.invisible", Invisible, $"{invisible.Count} invisible or bidi control characters", invisible.Offset));
        }

        var folded = Fold(visible);
        RoleMarkers.Find(folded, signals);
        Phrases(folded, signals, 0, string.Empty);
        foreach (var (offset, decoded) in EncodedPayloads.Decode(visible))
        {
            signals.Add(new("pi.encoded", Encoded, "a base64 or hex payload that decodes to text", offset));
            Phrases(Fold(decoded), signals, offset, "encoded text: ");
        }

        if (signals.Count == 0)
        {
            return InjectionResult.None;
        }

        // Each rule counts once (its first signal), so repeating a phrase does not raise the score.
        var counted = signals.GroupBy(s => s.RuleId, StringComparer.Ordinal).Select(g => g.First()).ToList();
        return new InjectionResult(Math.Min(100, counted.Sum(s => s.Weight)), counted);
    }

    private static string Fold(string text) => Confusables.Fold(text);

    private static void Phrases(string folded, List<InjectionSignal> signals, int offset, string prefix)
    {
        var words = Words.Split(folded, PhraseRules.Known);
        PhraseRules.Override(words, signals, offset, prefix);
        PhraseRules.Leak(words, signals, offset, prefix);
        PhraseRules.Jailbreak(words, signals, offset, prefix);
    }
}
