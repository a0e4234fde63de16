using Envoy.Service.Auth.V3;
using EnvoyGovern.Conformance.CheckRequests;
using System.Text;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.ExtAuthz.Decisions.Wire;
using Google.Protobuf;

namespace EnvoyGovern.Tests.ExtAuthz;

/// <summary>
/// The service writes allowed answers by hand (<see cref="CheckAnswer"/>); Envoy must read exactly what the
/// generated serializer would have sent for the factory's <see cref="CheckResponse"/>.
/// </summary>
public sealed class CheckAnswerWireTests
{
    private static readonly CheckResponseFactory Factory = new();

    // Names and values a decision can carry: empty (omitted by proto3), non-ASCII, surrogate pairs, and long
    // enough for two- and three-byte length prefixes.
    private static readonly string[] Texts =
    [
        "", "a", "acme", "x-governance-tenant", "chat-stable-version", "gpt-4o", "ünïcödé", "日本語のテナント", "emoji 🙂 end",
        new('v', 127), new('v', 128), new('w', 300), new('é', 9000), new('z', 20000),
    ];

    // Keys that collide with the answer's own metadata fields and with each other.
    private static readonly string[] MetadataKeys = ["rule", "region", "cluster", "canary_reason", "decision", "reason", "decision_id", "policy_version", "", "rule"];

    [Fact]
    public void ToByteArray_AllowedMinimal_MatchesGeneratedSerializer()
    {
        var context = new CheckContext(new EnvoyCheckRequestBuilder().Build(), "0190b6c4-e7a2-7f3d-8000-000000000001", DateTimeOffset.UnixEpoch);

        AssertSameBytes(Decision.Allowed, context);
    }

    [Fact]
    public void ToByteArray_ManyAllowedDecisions_MatchGeneratedSerializerAndParse()
    {
        var random = new Random(9);
        for (var i = 0; i < 2000; i++)
        {
            AssertSameBytes(Decision.Allowed, RandomContext(random));
        }
    }

    [Fact]
    public void ToByteArray_ManyDenials_MatchGeneratedSerializer()
    {
        var random = new Random(7);
        string[] reasons = ["quota_exceeded", "no_matching_rule", "invalid_credentials", "région"];
        int[] statuses = [401, 403, 429, 400, 451];
        for (var i = 0; i < 300; i++)
        {
            var decision = new Decision
            {
                Outcome = DecisionOutcome.Deny,
                Reason = reasons[random.Next(reasons.Length)],
                Message = random.Next(2) == 0 ? null : Pick(random),
                HttpStatus = statuses[random.Next(statuses.Length)],
                ResponseHeaders = [.. Enumerable.Range(0, random.Next(3)).Select(_ => new KeyValuePair<string, string>(Pick(random), Pick(random)))],
            };

            AssertSameBytes(decision, RandomContext(random));
        }
    }

    [Fact]
    public void ToByteArray_MetadataKeySetTwice_KeepsFirstPlaceAndLastValueLikeTheMap()
    {
        var context = new CheckContext(new EnvoyCheckRequestBuilder().Build(), "id-1", DateTimeOffset.UnixEpoch) { PolicyVersion = "v1" };
        context.SetMetadata("rule", "first");
        context.SetMetadata("reason", "overridden");
        context.SetMetadata("rule", "second");

        var parsed = CheckResponse.Parser.ParseFrom(AssertSameBytes(Decision.Allowed, context));

        Assert.Equal(["decision", "reason", "decision_id", "policy_version", "rule"], parsed.DynamicMetadata.Fields.Keys);
        Assert.Equal("second", parsed.DynamicMetadata.Fields["rule"].StringValue);
        Assert.Equal("overridden", parsed.DynamicMetadata.Fields["reason"].StringValue);
    }

    [Fact]
    public void ToByteArray_SameShapeWithOtherDecisionIds_CopiesATemplateWithEachId()
    {
        var first = SampleShape("0190b6c4e7a27f3d8000000000000001");
        AssertSameBytes(Decision.Allowed, first);
        AssertSameBytes(Decision.Allowed, first);

        Assert.NotNull(FindTemplate(first));
        for (var i = 2; i < 50; i++)
        {
            var context = SampleShape($"0190b6c4e7a27f3d80000000{i:x8}");
            Assert.NotNull(FindTemplate(context));
            AssertSameBytes(Decision.Allowed, context);
        }
    }

    [Fact]
    public void ToByteArray_TwinsOfRandomDecisionsWithOtherIds_MatchGeneratedSerializer()
    {
        var random = new Random(11);
        for (var i = 0; i < 500; i++)
        {
            var context = RandomContext(random);
            AssertSameBytes(Decision.Allowed, context);
            AssertSameBytes(Decision.Allowed, context);

            // Same strings, another id of the same length: ASCII ids take the template, others are written in full.
            var id = context.DecisionId;
            var otherId = Ascii.IsValid(id) ? new string([.. id.Select(c => c == 'x' ? 'y' : 'x')]) : id + "é";
            AssertSameBytes(Decision.Allowed, Twin(context, otherId));
        }
    }

    [Fact]
    public void ToByteArray_DecisionIdAlsoAnUpstreamHeaderValue_KeepsTheHeaderValue()
    {
        var firstId = "0190b6c4e7a27f3d8000000000000abc";
        CheckContext WithHeader(string id)
        {
            var context = new CheckContext(new EnvoyCheckRequestBuilder().Build(), id, DateTimeOffset.UnixEpoch) { PolicyVersion = "v7" };
            context.SetUpstreamHeader("x-echo", firstId);
            context.SetMetadata("echo", firstId);
            return context;
        }

        AssertSameBytes(Decision.Allowed, WithHeader(firstId));
        AssertSameBytes(Decision.Allowed, WithHeader(firstId));
        var parsed = CheckResponse.Parser.ParseFrom(AssertSameBytes(Decision.Allowed, WithHeader("0190b6c4e7a27f3d8000000000000def")));

        Assert.Equal(firstId, parsed.OkResponse.Headers.Single(h => h.Header.Key == "x-echo").Header.Value);
        Assert.Equal(firstId, parsed.DynamicMetadata.Fields["echo"].StringValue);
        Assert.Equal("0190b6c4e7a27f3d8000000000000def", parsed.DynamicMetadata.Fields["decision_id"].StringValue);
    }

    [Fact]
    public void ToByteArray_DecisionIdKeySetByAStep_KeepsTheStepsValueOnEveryCopy()
    {
        CheckContext WithOverride(string id)
        {
            var context = new CheckContext(new EnvoyCheckRequestBuilder().Build(), id, DateTimeOffset.UnixEpoch);
            context.SetMetadata("decision_id", "set-by-a-step");
            return context;
        }

        AssertSameBytes(Decision.Allowed, WithOverride("00000000000000000000000000000001"));
        AssertSameBytes(Decision.Allowed, WithOverride("00000000000000000000000000000001"));
        var parsed = CheckResponse.Parser.ParseFrom(AssertSameBytes(Decision.Allowed, WithOverride("00000000000000000000000000000002")));

        Assert.Equal("set-by-a-step", parsed.DynamicMetadata.Fields["decision_id"].StringValue);
        Assert.Equal("00000000000000000000000000000002", parsed.OkResponse.Headers.Single(h => h.Header.Key == GovernanceHeaders.DecisionId).Header.Value);
    }

    // Tests run in parallel and share the table: a slot taken by another shape in between is taken back on the next misses.
    private static AnswerTemplate? FindTemplate(CheckContext context)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (AnswerTemplates.Find(context) is { } template)
            {
                return template;
            }
        }

        return null;
    }

    // The strings a policy, an identity and a route hand to every Check alike.
    private static CheckContext SampleShape(string id)
    {
        var context = new CheckContext(new EnvoyCheckRequestBuilder().Build(), id, DateTimeOffset.UnixEpoch) { PolicyVersion = "sha256:5d41402abc4b2a76" };
        context.SetUpstreamHeader(GovernanceHeaders.Tenant, "acme");
        context.SetUpstreamHeader(GovernanceHeaders.Model, "gpt-4o");
        context.RemoveUpstreamHeader(GovernanceHeaders.Subject);
        context.SetMetadata("rule", "chat-stable-version");
        context.SetMetadata("region", "eu-west");
        return context;
    }

    private static CheckContext Twin(CheckContext context, string decisionId)
    {
        var twin = new CheckContext(context.Request, decisionId, context.ReceivedAt) { PolicyVersion = context.PolicyVersion };
        foreach (var (name, value) in context.UpstreamHeaders)
        {
            twin.SetUpstreamHeader(name, value);
        }

        foreach (var name in context.RemovedUpstreamHeaders)
        {
            twin.RemoveUpstreamHeader(name);
        }

        foreach (var (key, value) in context.Metadata)
        {
            twin.SetMetadata(key, value);
        }

        return twin;
    }

    private static byte[] AssertSameBytes(Decision decision, CheckContext context)
    {
        var expected = Factory.Create(decision, context);
        var bytes = Factory.CreateAnswer(decision, context).ToByteArray();

        Assert.Equal(expected.ToByteArray(), bytes);
        Assert.Equal(expected, CheckResponse.Parser.ParseFrom(bytes));
        Assert.Equal(expected, Factory.CreateAnswer(decision, context).ToResponse());
        return bytes;
    }

    private static CheckContext RandomContext(Random random)
    {
        var context = new CheckContext(new EnvoyCheckRequestBuilder().Build(), Pick(random), DateTimeOffset.UnixEpoch)
        {
            PolicyVersion = random.Next(3) == 0 ? null : Pick(random),
        };
        for (var i = random.Next(9); i > 0; i--)
        {
            context.SetUpstreamHeader(Pick(random), Pick(random));
        }

        for (var i = random.Next(7); i > 0; i--)
        {
            context.RemoveUpstreamHeader(Pick(random));
        }

        for (var i = random.Next(9); i > 0; i--)
        {
            context.SetMetadata(random.Next(2) == 0 ? MetadataKeys[random.Next(MetadataKeys.Length)] : Pick(random), Pick(random));
        }

        return context;
    }

    private static string Pick(Random random) =>
        random.Next(4) == 0 ? Texts[random.Next(Texts.Length)] : $"h{random.Next(50)}";
}
