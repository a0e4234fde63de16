using System.Buffers;

namespace EnvoyGovern.Governance.Audit.Recording;

/// <content>The batch of records one <c>write(2)</c> takes.</content>
public sealed partial class StdoutAuditPipeline
{
    // The records of one batch as NDJSON, one line each, copied in as they are enqueued: what write(2) takes as it is.
    private sealed class Batch
    {
        // A burst may grow a batch's buffer to many MB; one that large is not kept for the quiet time after it.
        private const int KeptCapacity = 1 << 20;

        private ArrayBufferWriter<byte> _lines = new(64 * 1024);

        public int Count { get; private set; }

        public ReadOnlySpan<byte> Lines => _lines.WrittenSpan;

        public void Add(ReadOnlySpan<byte> record)
        {
            var span = _lines.GetSpan(record.Length + 1);
            record.CopyTo(span);
            span[record.Length] = (byte)'\n';
            _lines.Advance(record.Length + 1);
            Count++;
        }

        public void Clear()
        {
            if (_lines.Capacity > KeptCapacity)
            {
                _lines = new ArrayBufferWriter<byte>(64 * 1024);
            }
            else
            {
                _lines.ResetWrittenCount();
            }

            Count = 0;
        }
    }
}
