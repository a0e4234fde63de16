using System.Collections.Frozen;

namespace EnvoyGovern.ExtProc.PromptInjection;

/// <summary>
/// Phrases by words near each other rather than fixed strings, so "ignore all of the previous
/// instructions" and "disregard your earlier guidelines" are one rule. Weak objects (rules, context,
/// everything) count only with a word that points back at the conversation (previous, above, your),
/// so "forget the rules of chess" does not.
/// </summary>
internal static class PhraseRules
{
    private const int Window = 6;

    private static readonly string[] OverrideVerbs = Set(
        "ignore ignoring ignores disregard disregarding forget override overrule bypass skip neglect abandon overlook discard drop "
        + "ignoriere ignorieren vergiss vergessen ignorez ignore oubliez oublie ignora ignorar olvida olvides");

    private static readonly string[] StrongObjects = Set(
        "instructions instruction prompt prompts directions directives directive guidelines guideline programming guardrails "
        + "anweisungen anweisung befehle consignes instrucciones indicaciones");

    private static readonly string[] WeakObjects = Set(
        "rules rule context messages constraints restrictions policies policy everything text regeln règles reglas");

    private static readonly string[] AnyQualifier = Set(
        "previous prior above earlier preceding all any your system initial original existing every these those other "
        + "vorherigen vorigen alle deine obigen précédentes toutes vos anteriores todas tus");

    private static readonly string[] BackQualifier = Set(
        "previous prior above earlier preceding your system initial original vorherigen obigen deine précédentes anteriores");

    private static readonly string[] LeakVerbs = Set(
        "reveal show print display repeat output tell give leak dump expose list write share disclose provide recite");

    private static readonly string[] LeakTargets = Set("instructions prompt rules guidelines system message");

    private static readonly string[][] JailbreakPhrases =
    [
        ["do", "anything", "now"], ["developer", "mode"], ["jailbreak"], ["jailbroken"], ["no", "restrictions"],
        ["without", "restrictions"], ["without", "any", "restrictions"], ["unfiltered"], ["uncensored"], ["no", "limitations"],
        ["without", "limitations"], ["no", "ethical"], ["no", "guidelines"], ["evil", "mode"], ["god", "mode"], ["dan", "mode"],
    ];

    private static readonly string[][] PersonaPhrases =
    [
        ["you", "are", "now"], ["from", "now", "on", "you"], ["pretend", "to", "be"], ["pretend", "you", "are"],
        ["roleplay", "as"], ["act", "as", "if", "you"], ["you", "will", "now", "act"], ["new", "persona"],
    ];

    // Every word a rule below compares, with the sets that hold it: Words.Split keeps only these (see Word).
    // A word a rule reads must be here.
    private static readonly FrozenDictionary<string, KnownWord> Vocabulary = Vocabularies();

    /// <summary>Looks words up without making a string of them.</summary>
    public static FrozenDictionary<string, KnownWord>.AlternateLookup<ReadOnlySpan<char>> Known { get; } = Vocabulary.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>"ignore all previous instructions", "disregard everything above", "vergiss alle vorherigen Anweisungen".</summary>
    public static void Override(List<Word> words, List<InjectionSignal> signals, int offset, string prefix)
    {
        for (var i = 0; i < words.Count; i++)
        {
            if ((words[i].Kinds & WordKinds.OverrideVerb) == 0)
            {
                continue;
            }

            for (var j = i + 1; j < words.Count && j <= i + Window; j++)
            {
                var strong = (words[j].Kinds & WordKinds.StrongObject) != 0;
                if (!strong && (words[j].Kinds & WordKinds.WeakObject) == 0)
                {
                    continue;
                }

                var qualifiers = strong ? WordKinds.AnyQualifier : WordKinds.BackQualifier;
                if (Any(words, i + 1, Math.Min(words.Count, j + 3), qualifiers))
                {
                    signals.Add(new("pi.override", PromptInjectionDetector.Override, $"{prefix}instruction override ('{words[i].Text} … {words[j].Text}')", offset + words[i].Offset));
                    return;
                }
            }
        }
    }

    /// <summary>"reveal your system prompt", "repeat the words above", "what are your instructions".</summary>
    public static void Leak(List<Word> words, List<InjectionSignal> signals, int offset, string prefix)
    {
        for (var i = 0; i < words.Count; i++)
        {
            if (words[i].Text.Length == 0)
            {
                continue;
            }

            var verb = (words[i].Kinds & WordKinds.LeakVerb) != 0;
            var question = words[i].Text == "what" && i + 2 < words.Count && words[i + 1].Text is "is" or "are" or "were" && words[i + 2].Text == "your";
            if (!verb && !question)
            {
                continue;
            }

            for (var j = i + 1; j + 1 < words.Count && j <= i + Window; j++)
            {
                var (a, b) = (words[j].Text, words[j + 1].Text);
                if ((a is "system" or "initial" or "hidden" or "original" && b is "prompt" or "message" or "instructions")
                    || (a == "your" && (words[j + 1].Kinds & WordKinds.LeakTarget) != 0)
                    || (b == "above" && a is "words" or "text" or "everything" or "instructions" or "messages"))
                {
                    signals.Add(new("pi.prompt_leak", PromptInjectionDetector.PromptLeak, $"{prefix}asks for the system prompt ('{words[i].Text} … {a} {b}')", offset + words[i].Offset));
                    return;
                }
            }
        }
    }

    /// <summary>Jailbreak vocabulary ("developer mode", "do anything now", "no restrictions") and persona switches ("you are now").</summary>
    public static void Jailbreak(List<Word> words, List<InjectionSignal> signals, int offset, string prefix)
    {
        if (FindPhrase(words, JailbreakPhrases, WordKinds.JailbreakStart) is { } jailbreak)
        {
            signals.Add(new("pi.jailbreak", PromptInjectionDetector.Jailbreak, $"{prefix}jailbreak phrase", offset + jailbreak));
        }

        if (FindPhrase(words, PersonaPhrases, WordKinds.PersonaStart) is { } persona)
        {
            signals.Add(new("pi.persona", PromptInjectionDetector.Persona, $"{prefix}persona switch", offset + persona));
        }
    }

    private static int? FindPhrase(List<Word> words, string[][] phrases, WordKinds start)
    {
        for (var i = 0; i < words.Count; i++)
        {
            if ((words[i].Kinds & start) == 0)
            {
                continue;
            }

            foreach (var phrase in phrases)
            {
                if (i + phrase.Length > words.Count || words[i].Text != phrase[0])
                {
                    continue;
                }

                var k = 1;
                while (k < phrase.Length && words[i + k].Text == phrase[k])
                {
                    k++;
                }

                if (k == phrase.Length)
                {
                    return words[i].Offset;
                }
            }
        }

        return null;
    }

    private static bool Any(List<Word> words, int from, int to, WordKinds kind)
    {
        for (var k = from; k < to; k++)
        {
            if ((words[k].Kinds & kind) != 0)
            {
                return true;
            }
        }

        return false;
    }

    private static string[] Set(string words) => words.Split(' ');

    private static FrozenDictionary<string, KnownWord> Vocabularies()
    {
        var kinds = new Dictionary<string, WordKinds>(StringComparer.Ordinal);
        void Add(IEnumerable<string> words, WordKinds kind)
        {
            foreach (var word in words)
            {
                kinds[word] = kinds.GetValueOrDefault(word) | kind;
            }
        }

        Add(OverrideVerbs, WordKinds.OverrideVerb);
        Add(StrongObjects, WordKinds.StrongObject);
        Add(WeakObjects, WordKinds.WeakObject);
        Add(AnyQualifier, WordKinds.AnyQualifier);
        Add(BackQualifier, WordKinds.BackQualifier);
        Add(LeakVerbs, WordKinds.LeakVerb);
        Add(LeakTargets, WordKinds.LeakTarget);
        Add(JailbreakPhrases.Select(p => p[0]), WordKinds.JailbreakStart);
        Add(PersonaPhrases.Select(p => p[0]), WordKinds.PersonaStart);
        Add(JailbreakPhrases.SelectMany(p => p).Concat(PersonaPhrases.SelectMany(p => p)), WordKinds.None);
        Add(["what", "is", "are", "were", "your", "system", "initial", "hidden", "original", "prompt", "message", "instructions",
            "above", "words", "text", "everything", "messages"], WordKinds.None);
        return kinds.ToFrozenDictionary(k => k.Key, k => new KnownWord(k.Key, k.Value), StringComparer.Ordinal);
    }
}
