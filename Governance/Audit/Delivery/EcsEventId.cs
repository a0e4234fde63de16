using System.Text.Json;

namespace EnvoyGovern.Governance.Audit.Delivery;

/// <summary>Reads <c>event.id</c> out of a serialized ECS record without materialising the document.</summary>
internal static class EcsEventId
{
    public static bool TryRead(ReadOnlySpan<byte> utf8Json, out string eventId)
    {
        eventId = "";
        try
        {
            var reader = new Utf8JsonReader(utf8Json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isEvent = reader.ValueTextEquals("event"u8);
                reader.Read();
                if (isEvent && reader.TokenType == JsonTokenType.StartObject)
                {
                    return TryReadId(ref reader, out eventId);
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // A torn or foreign line has no id to offer.
        }

        return false;
    }

    private static bool TryReadId(ref Utf8JsonReader reader, out string eventId)
    {
        eventId = "";
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isId = reader.ValueTextEquals("id"u8);
            reader.Read();
            if (isId && reader.TokenType == JsonTokenType.String)
            {
                eventId = reader.GetString()!;
                return true;
            }

            reader.Skip();
        }

        return false;
    }
}
