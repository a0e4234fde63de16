using System.Text;
using EnvoyGovern.ExtProc.GenAi;

namespace EnvoyGovern.Tests.GenAi;

public sealed class UsageTests
{
    [Theory]
    [InlineData("""{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-2024-08-06","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":34,"total_tokens":46}}""", 12L, 34L, "gpt-4o-2024-08-06", "chatcmpl-1")]
    [InlineData("""{"id":"resp_1","object":"response","model":"gpt-4o","output":[{"content":[{"text":"x"}]}],"usage":{"input_tokens":5,"output_tokens":6}}""", 5L, 6L, "gpt-4o", "resp_1")]
    [InlineData("""{"object":"list","data":[{"embedding":[0.1]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}""", 8L, null, "text-embedding-3-small", null)]
    public void FromJson_Answer_TokensModelAndId(string json, long? input, long? output, string model, string? id) =>
        Assert.Equal(new Usage(input, output, model, id), Usage.FromJson(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void Push_StreamWithUsageInTheLastChunkSplitAcrossChunks_Found()
    {
        var stream = new StreamedUsage();
        var events = """
            data: {"id":"chatcmpl-9","model":"gpt-4o","choices":[{"delta":{"content":"hi"}}]}

            data: {"id":"chatcmpl-9","model":"gpt-4o","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1}}

            data: [DONE]


            """.ReplaceLineEndings("\n");
        var bytes = Encoding.UTF8.GetBytes(events);
        var found = new List<bool>();

        for (var i = 0; i < bytes.Length; i += 17)
        {
            found.Add(stream.Push(bytes.AsSpan(i, Math.Min(17, bytes.Length - i)), end: i + 17 >= bytes.Length));
        }

        Assert.Single(found, f => f);
        Assert.Equal(new Usage(3, 1, "gpt-4o", "chatcmpl-9"), stream.Current);
    }

    [Fact]
    public void Push_ResponsesApiCompletedEvent_Found()
    {
        var stream = new StreamedUsage();

        stream.Push("event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_2\",\"model\":\"gpt-4o\",\"usage\":{\"input_tokens\":9,\"output_tokens\":4}}}\n\n"u8, end: true);

        Assert.Equal(new Usage(9, 4, "gpt-4o", "resp_2"), stream.Current);
    }
}
