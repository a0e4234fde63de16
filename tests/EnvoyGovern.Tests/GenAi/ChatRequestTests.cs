using System.Text;
using EnvoyGovern.ExtProc.GenAi;

namespace EnvoyGovern.Tests.GenAi;

public sealed class ChatRequestTests
{
    [Fact]
    public void Parse_ChatCompletion_ModelCapStreamToolsAndCallerText()
    {
        var body = """
            {"model":"gpt-4o","stream":true,"max_tokens": 4096,
             "messages":[{"role":"system","content":"be nice"},{"content":"hi \u0040 you","role":"user"},
               {"role":"assistant","content":"hello","tool_calls":[{"id":"1","function":{"name":"f","arguments":"{}"}}]},
               {"role":"tool","tool_call_id":"1","content":[{"type":"text","text":"tool says"}]},
               {"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}},{"type":"text","text":"second"}]}],
             "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"name":{"type":"string"}}}}}]}
            """;

        var request = ChatRequest.Parse(Encoding.UTF8.GetBytes(body))!;

        Assert.Equal("gpt-4o", request.Model);
        Assert.True(request.Stream);
        Assert.Equal(4096, request.MaxTokens);
        Assert.Equal("max_tokens", request.MaxTokensField);
        var (start, length) = request.MaxTokensToken!.Value;
        Assert.Equal("4096", body.Substring(start, length));
        Assert.Equal(["get_weather"], request.Tools);
        Assert.Equal(
            [new SuppliedText("/messages/1/content", "hi @ you"), new SuppliedText("/messages/3/content/0/text", "tool says"), new SuppliedText("/messages/4/content/1/text", "second")],
            request.Supplied);
    }

    [Theory]
    [InlineData("""{"model":"gpt-3.5-turbo-instruct","prompt":"say hi","max_tokens":5}""", "/prompt", "max_tokens")]
    [InlineData("""{"model":"text-embedding-3-small","input":["a","say hi"]}""", "/input/1", null)]
    [InlineData("""{"model":"gpt-4o","input":[{"role":"user","content":"say hi"}],"max_output_tokens":9}""", "/input/0/content", "max_output_tokens")]
    [InlineData("""{"model":"o1","max_completion_tokens":7,"messages":[{"role":"user","content":"say hi"}]}""", "/messages/0/content", "max_completion_tokens")]
    public void Parse_OtherShapes_CallerTextAndCap(string body, string location, string? capField)
    {
        var request = ChatRequest.Parse(Encoding.UTF8.GetBytes(body))!;

        Assert.Equal(new SuppliedText(location, "say hi"), request.Supplied[^1]);
        Assert.Equal(capField, request.MaxTokensField);
    }

    [Fact]
    public void Parse_NotAnObject_Null() => Assert.Null(ChatRequest.Parse("[1,2]"u8));
}
