using Envoy.Config.Cluster.V3;
using Envoy.Config.Listener.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Google.Protobuf;

namespace EnvoyGovern.EnvoyConfig.Tests;

/// <summary>The validator refuses what Envoy would refuse, and says where.</summary>
public sealed class EnvoyYamlValidatorRejectionTests
{
    private const string ValidCluster = """
        name: upstream_stable
        type: STATIC
        connect_timeout: 0.5s
        """;

    private const string HcmHead = """
        stat_prefix: test
        route_config: { name: r }
        http_filters:
          - name: envoy.filters.http.ext_authz
            typed_config:
        """;

    [Fact]
    public void Validate_ValidCluster_HasNoErrors()
    {
        Assert.Empty(EnvoyYamlValidator.Validate<Cluster>(ValidCluster));
    }

    [Fact]
    public void Validate_UnknownField_ReportsPathAndSuggestion()
    {
        var errors = EnvoyYamlValidator.Validate<Cluster>(ValidCluster + "\nconect_timeout: 1s\n");

        var error = Assert.Single(errors);
        Assert.StartsWith("$.conect_timeout: unknown field in envoy.config.cluster.v3.Cluster", error, StringComparison.Ordinal);
        Assert.Contains("did you mean 'connect_timeout'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MisspelledEnumValue_ReportsKnownValues()
    {
        var errors = EnvoyYamlValidator.Validate<Cluster>(ValidCluster.Replace("STATIC", "STRICTDNS", StringComparison.Ordinal));

        var error = Assert.Single(errors);
        Assert.StartsWith("$.type: 'STRICTDNS' is not a value of envoy.config.cluster.v3.Cluster.DiscoveryType", error, StringComparison.Ordinal);
        Assert.Contains("STRICT_DNS", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnknownAnyType_ReportsTypeUrl()
    {
        var yaml = HcmHead + """

                  "@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzz
            """;

        var error = Assert.Single(EnvoyYamlValidator.Validate<HttpConnectionManager>(yaml));

        Assert.StartsWith("$.http_filters[0].typed_config.@type: unknown type", error, StringComparison.Ordinal);
        Assert.Contains("ExtAuthzz", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AnyWithoutType_IsRejected()
    {
        var yaml = HcmHead + "\n          failure_mode_allow: false\n";

        var error = Assert.Single(EnvoyYamlValidator.Validate<HttpConnectionManager>(yaml));

        Assert.Contains("\"@type\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnknownFieldInsideTypedConfig_ReportsNestedPathAndType()
    {
        var yaml = HcmHead + """

                  "@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz
                  failure_mode_alow: false
            """;

        var error = Assert.Single(EnvoyYamlValidator.Validate<HttpConnectionManager>(yaml));

        Assert.StartsWith(
            "$.http_filters[0].typed_config.failure_mode_alow: unknown field in envoy.extensions.filters.http.ext_authz.v3.ExtAuthz",
            error,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("connect_timeout: 0.5s", "connect_timeout: 500ms", "$.connect_timeout: expects a duration")]
    [InlineData("name: upstream_stable", "name: [a, b]", "$.name: expects a string, got a list")]
    [InlineData("name: upstream_stable", "name: 42", "$.name: expects a string, got number 42")]
    [InlineData("name: upstream_stable", "name: upstream_stable\nrespect_dns_ttl: \"true\"", "$.respect_dns_ttl: expects true or false, got string \"true\"")]
    [InlineData("name: upstream_stable", "name: upstream_stable\nper_connection_buffer_limit_bytes: -1", "$.per_connection_buffer_limit_bytes: expects an integer")]
    [InlineData("name: upstream_stable", "name: upstream_stable\nper_connection_buffer_limit_bytes: lots", "$.per_connection_buffer_limit_bytes: expects an integer")]
    public void Validate_WrongScalarType_ReportsExpectedType(string from, string to, string expected)
    {
        var errors = EnvoyYamlValidator.Validate<Cluster>(ValidCluster.Replace(from, to, StringComparison.Ordinal));

        var error = Assert.Single(errors);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TwoMembersOfOneof_IsRejected()
    {
        const string yaml = """
            match: { prefix: "/v1/" }
            route:
              cluster: upstream_stable
              cluster_header: x-governance-cluster
            """;

        var error = Assert.Single(EnvoyYamlValidator.Validate<Envoy.Config.Route.V3.Route>(yaml));

        Assert.Contains("oneof 'cluster_specifier'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DuplicateKey_IsRejected()
    {
        var errors = EnvoyYamlValidator.Validate<Cluster>(ValidCluster + "\nname: again\n");

        Assert.Single(errors);
    }

    [Fact]
    public void Validate_MalformedYaml_ReportsLine()
    {
        var error = Assert.Single(EnvoyYamlValidator.Validate<Cluster>("name: a\n  type: STATIC\n"));

        Assert.StartsWith("Invalid YAML at line", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("name: [unclosed\n")]
    [InlineData("name: {a: 1\n")]
    [InlineData("a: b: c\n")]
    public void Validate_BrokenYaml_ReturnsErrorInsteadOfThrowing(string yaml)
    {
        var error = Assert.Single(EnvoyYamlValidator.Validate<Cluster>(yaml));

        Assert.StartsWith("Invalid YAML", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ScalarRoot_IsRejected()
    {
        var error = Assert.Single(EnvoyYamlValidator.Validate<Cluster>("just-a-string"));

        Assert.Contains("must be a mapping", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsEachOne()
    {
        var yaml = ValidCluster.Replace("STATIC", "STATICK", StringComparison.Ordinal) + "\nfoo: 1\nbar: 2\n";

        Assert.Equal(3, EnvoyYamlValidator.Validate<Cluster>(yaml).Count);
    }

    [Fact]
    public void Validate_SnakeCaseAndCamelCaseNames_AreBothAccepted()
    {
        // Envoy's YAML uses proto field names; proto3 JSON also allows the lowerCamel json_name.
        var snake = EnvoyYamlValidator.Parse<Cluster>("name: c\nconnect_timeout: 2s\nper_connection_buffer_limit_bytes: 1024\n");
        var camel = EnvoyYamlValidator.Parse<Cluster>("name: c\nconnectTimeout: 2s\nperConnectionBufferLimitBytes: 1024\n");

        Assert.True(snake.IsValid, string.Join(Environment.NewLine, snake.Errors));
        Assert.True(camel.IsValid, string.Join(Environment.NewLine, camel.Errors));
        Assert.Equal(snake.Message, camel.Message);
        Assert.Equal(1024u, snake.Message!.PerConnectionBufferLimitBytes);
    }

    [Fact]
    public void Validate_SameFieldUnderBothNames_IsRejected()
    {
        var error = Assert.Single(EnvoyYamlValidator.Validate<Cluster>("name: c\nconnect_timeout: 2s\nconnectTimeout: 3s\n"));

        Assert.Contains("set twice", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ByDescriptor_AgreesWithGeneric()
    {
        var descriptor = EnvoyTypes.Find("type.googleapis.com/envoy.config.listener.v3.Listener");
        const string yaml = "name: l\naddress: { socket_address: { address: 0.0.0.0, port_value: 10000 } }\nbogus: 1\n";

        Assert.NotNull(descriptor);
        Assert.Equal(EnvoyYamlValidator.Validate<Listener>(yaml), EnvoyYamlValidator.Validate(yaml, descriptor));
        Assert.Single(EnvoyYamlValidator.Validate(yaml, descriptor));
    }

    [Fact]
    public void JsonParser_StrictWithEnvoyRegistry_RejectsUnknownFieldOnItsOwn()
    {
        // The path checker explains errors, but the protobuf parser must refuse them by itself too.
        var parser = new JsonParser(JsonParser.Settings.Default.WithIgnoreUnknownFields(false).WithTypeRegistry(EnvoyTypes.Registry));
        var json = EnvoyYamlToJson.Convert(ValidCluster + "\nconect_timeout: 1s\n");

        Assert.ThrowsAny<InvalidProtocolBufferException>(() => parser.Parse<Cluster>(json));
    }

    [Fact]
    public void JsonParser_StrictWithEnvoyRegistry_RejectsUnknownAnyType()
    {
        var parser = new JsonParser(JsonParser.Settings.Default.WithIgnoreUnknownFields(false).WithTypeRegistry(EnvoyTypes.Registry));
        var json = EnvoyYamlToJson.Convert(HcmHead + "\n          \"@type\": type.googleapis.com/no.such.Type\n");

        Assert.ThrowsAny<InvalidOperationException>(() => parser.Parse<HttpConnectionManager>(json));
    }
}
