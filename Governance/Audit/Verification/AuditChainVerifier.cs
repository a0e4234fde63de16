using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using EnvoyGovern.Governance.Audit.Chain;

namespace EnvoyGovern.Governance.Audit.Verification;

/// <summary>
/// Checks a file of audit records (NDJSON, streams may interleave, each stream in sequence order) against the
/// chain rules of <see cref="AuditChainFormat"/> and, with the key, the checkpoint signatures. Stops at the
/// first break and names it.
/// </summary>
public static class AuditChainVerifier
{
    /// <summary>Longest line accepted: a record is a few kilobytes; anything far larger is not one.</summary>
    public const int MaxLineBytes = 1024 * 1024;

    /// <summary>Verifies every record in <paramref name="input"/>.</summary>
    /// <param name="input">The records.</param>
    /// <param name="signer">The checkpoint key; null to check the chain only.</param>
    /// <param name="partial">Accept streams that start after seq 1 (an export of a time range).</param>
    /// <param name="cancellationToken">Stops reading.</param>
    public static async Task<AuditVerificationResult> VerifyAsync(Stream input, CheckpointSigner? signer, bool partial, CancellationToken cancellationToken)
    {
        var state = new State(signer, partial);
        var reader = PipeReader.Create(input);
        long line = 0;
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            while (TryTakeLine(ref buffer, out var record))
            {
                line++;
                if (state.Check(line, record) is { } broken)
                {
                    await reader.CompleteAsync();
                    return state.Result(broken);
                }
            }

            if (buffer.Length > MaxLineBytes)
            {
                await reader.CompleteAsync();
                return state.Result(new AuditChainBreak(line + 1, AuditBreakKind.Malformed, $"line {line + 1} is longer than {MaxLineBytes} bytes: not an audit record"));
            }

            if (read.IsCompleted)
            {
                var last = buffer.IsEmpty ? null : state.Check(++line, buffer.ToArray());
                await reader.CompleteAsync();
                return state.Result(last ?? state.Finish());
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static bool TryTakeLine(ref ReadOnlySequence<byte> buffer, out byte[] line)
    {
        var end = buffer.PositionOf((byte)'\n');
        if (end is null)
        {
            line = [];
            return false;
        }

        line = buffer.Slice(0, end.Value).ToArray();
        buffer = buffer.Slice(buffer.GetPosition(1, end.Value));
        return true;
    }

    private sealed class State(CheckpointSigner? signer, bool partial)
    {
        // A gap may be a deletion or a move: look this far ahead for the missing record before calling it deleted.
        private const int Lookahead = 10_000;

        private readonly Dictionary<string, Link> _streams = new(StringComparer.Ordinal);
        private Gap? _gap;
        private long _records;
        private int _verified;
        private int _unchecked;

        public AuditVerificationResult Result(AuditChainBreak? broken) => new()
        {
            Records = _records,
            Streams = _streams.Count,
            CheckpointsVerified = _verified,
            CheckpointsUnchecked = _unchecked,
            UnsignedTail = _streams.Values.Sum(s => s.SinceCheckpoint),
            Break = broken,
        };

        /// <summary>The pending gap, if the file ended while looking for its missing record.</summary>
        public AuditChainBreak? Finish() => _gap?.Deleted;

        public AuditChainBreak? Check(long line, byte[] text)
        {
            var record = text.AsSpan().TrimEnd("\r"u8);
            if (record.IsEmpty)
            {
                return null;
            }

            if (_gap is { } gap)
            {
                return LookAhead(gap, line, record);
            }

            if (!AuditChainFormat.TryOpen(record, out var body, out var stated))
            {
                return new AuditChainBreak(line, AuditBreakKind.Malformed, $"line {line} is not a chained audit record (it does not end with \"{AuditChainFormat.HashField}\")");
            }

            var fields = Fields.TryRead(body);
            var name = $"line {line} (event.id {fields?.EventId ?? "?"}, stream {fields?.Stream ?? "?"}, seq {fields?.Sequence?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"})";
            if (AuditChainFormat.Hash(body) != stated)
            {
                return new AuditChainBreak(line, AuditBreakKind.Altered, $"{name}: its content does not match its hash: the record was altered");
            }

            if (fields is null)
            {
                return new AuditChainBreak(line, AuditBreakKind.Malformed, $"line {line} is not a JSON audit record");
            }

            if (fields.Stream is null || fields.Sequence is not { } seq || fields.Previous is null)
            {
                return new AuditChainBreak(line, AuditBreakKind.Malformed, $"{name}: chain fields (stream, seq, prev) are missing");
            }

            _records++;
            if (!_streams.TryGetValue(fields.Stream, out var link))
            {
                if (seq != 1 && !partial)
                {
                    return new AuditChainBreak(line, AuditBreakKind.Deleted, $"{name}: the stream starts at seq {seq}: records 1 to {seq - 1} are missing (use --partial for an export that starts mid-stream)");
                }

                if (seq == 1 && fields.Previous != AuditChainFormat.Genesis)
                {
                    return new AuditChainBreak(line, AuditBreakKind.Altered, $"{name}: the first record of a stream must have prev {AuditChainFormat.Genesis}");
                }

                link = new Link();
                _streams[fields.Stream] = link;
            }
            else if (seq <= link.Sequence)
            {
                return new AuditChainBreak(line, AuditBreakKind.Reordered, $"{name}: seq {seq} comes after seq {link.Sequence} (line {link.Line}): records were reordered or duplicated");
            }
            else if (seq > link.Sequence + 1)
            {
                var missing = seq - link.Sequence - 1 == 1 ? $"record seq {link.Sequence + 1} is" : $"records seq {link.Sequence + 1} to {seq - 1} are";
                _gap = new Gap(fields.Stream, link.Sequence + 1, line, name, new AuditChainBreak(line, AuditBreakKind.Deleted, $"{name}: {missing} missing between line {link.Line} and line {line}: deleted"));
                return null;
            }
            else if (fields.Previous != link.Hash)
            {
                return new AuditChainBreak(line, AuditBreakKind.Altered, $"{name}: prev does not match the hash of seq {link.Sequence} (line {link.Line}): that record was altered and re-hashed, or replaced");
            }

            if (fields.Signature is not null && CheckSignature(fields, seq) is { } problem)
            {
                return new AuditChainBreak(line, AuditBreakKind.BadSignature, $"{name}: {problem}");
            }

            link.Sequence = seq;
            link.Hash = stated;
            link.Line = line;
            link.SinceCheckpoint = fields.Signature is null ? link.SinceCheckpoint + 1 : 0;
            return null;
        }

        private static AuditChainBreak? LookAhead(Gap gap, long line, ReadOnlySpan<byte> record)
        {
            if (AuditChainFormat.TryOpen(record, out var body, out _) && Fields.TryRead(body) is { } fields
                && fields.Stream == gap.Stream && fields.Sequence == gap.Missing)
            {
                return new AuditChainBreak(gap.Line, AuditBreakKind.Reordered, $"{gap.Name}: it comes before seq {gap.Missing} (line {line}): records were reordered");
            }

            return line - gap.Line >= Lookahead ? gap.Deleted : null;
        }

        private string? CheckSignature(Fields fields, long seq)
        {
            if (signer is null || (fields.KeyId is not null && fields.KeyId != signer.KeyId))
            {
                _unchecked++;
                return null;
            }

            if (!signer.Verify(fields.Stream!, seq, fields.Previous!, fields.Signature!))
            {
                return "the checkpoint's signature does not verify with the key: records before it were rewritten (or the key is wrong)";
            }

            _verified++;
            return null;
        }
    }

    private sealed record Gap(string Stream, long Missing, long Line, string Name, AuditChainBreak Deleted);

    private sealed class Link
    {
        public long Sequence { get; set; }

        public string Hash { get; set; } = AuditChainFormat.Genesis;

        public long Line { get; set; }

        public long SinceCheckpoint { get; set; }
    }

    private sealed record Fields(string? EventId, string? Stream, long? Sequence, string? Previous, string? Signature, string? KeyId)
    {
        public static Fields? TryRead(byte[] body)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(body);
            }
            catch (JsonException)
            {
                return null;
            }

            using var owned = document;
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var checkpoint = Path(root, "envoygovern", "audit", "checkpoint");
            return new Fields(
                Text(Path(root, "event", "id")),
                Text(Member(root, AuditChainFormat.StreamField)),
                Member(root, AuditChainFormat.SequenceField) is { ValueKind: JsonValueKind.Number } n && n.TryGetInt64(out var seq) ? seq : null,
                Text(Member(root, AuditChainFormat.PreviousField)),
                checkpoint is { } c ? Text(Member(c, "signature")) : null,
                checkpoint is { } k ? Text(Member(k, "key_id")) : null);
        }

        private static JsonElement? Member(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : null;

        private static JsonElement? Path(JsonElement element, params string[] names)
        {
            JsonElement? current = element;
            foreach (var name in names)
            {
                current = current is { } c ? Member(c, name) : null;
            }

            return current;
        }

        private static string? Text(JsonElement? element) => element is { ValueKind: JsonValueKind.String } e ? e.GetString() : null;
    }
}
