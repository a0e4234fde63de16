using System.Text;
using System.Xml;
using EnvoyGovern.ExtProc.Waf.Engine;

namespace EnvoyGovern.ExtProc.Waf.Bodies;

/// <summary>
/// The XML body processor: <c>XML:/*</c> is the document's text content, <c>XML://@*</c> its attribute
/// values. DTDs are ignored and nothing external is resolved (no XXE).
/// </summary>
internal sealed class XmlBody
{
    public List<string> Text { get; } = [];

    public List<string> Attributes { get; } = [];

    public static XmlBody? Parse(ReadOnlySpan<byte> body, WafTransaction transaction)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Ignore,
            XmlResolver = null,
            MaxCharactersInDocument = 64 * 1024 * 1024,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
        };
        var result = new XmlBody();
        var text = new StringBuilder();
        try
        {
            using var stream = new MemoryStream(body.ToArray());
            using var reader = XmlReader.Create(stream, settings);
            while (reader.Read())
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element:
                        if (reader.MoveToFirstAttribute())
                        {
                            do
                            {
                                result.Attributes.Add(FormBodies.Latin1(reader.Value));
                            }
                            while (reader.MoveToNextAttribute());
                            reader.MoveToElement();
                        }

                        break;
                    case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                        text.Append(reader.Value);
                        break;
                }
            }
        }
        catch (XmlException ex)
        {
            transaction.BodyError("XML parsing error: " + ex.Message);
            return null;
        }

        result.Text.Add(FormBodies.Latin1(text.ToString()));
        return result;
    }
}
