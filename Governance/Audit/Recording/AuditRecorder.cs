using System.Buffers;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using EnvoyGovern.Governance.Audit.Chain;
using EnvoyGovern.Governance.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Governance.Audit.Recording;

/// <summary>Writes the fields of one record (between <c>@timestamp</c> and the common service and chain fields).</summary>
public delegate void AuditFieldWriter<in TState>(Utf8JsonWriter writer, TState state);

/// <summary>
/// Produces the audit records of one service instance: serializes each as ECS JSON, links it into the instance's
/// hash chain (<see cref="AuditChainFormat"/>), adds a signed checkpoint every N records, and hands the entries
/// to the <see cref="IAuditPipeline"/> in chain order. The request waits at most <c>Audit:WriteBudget</c>.
/// </summary>
public sealed class AuditRecorder
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // NDJSON for a log pipeline, never HTML: readable non-ASCII, still valid JSON.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    // gethostname(2) per record would cost a syscall; the node does not change while the process runs.
    private static readonly string NodeName = Environment.MachineName;

    private static readonly string ServiceVersion =
        typeof(AuditRecorder).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private static readonly JsonEncodedText TimestampName = JsonEncodedText.Encode("@timestamp");
    private static readonly JsonEncodedText EcsName = JsonEncodedText.Encode("ecs");
    private static readonly JsonEncodedText ServiceName = JsonEncodedText.Encode("service");

    // Serialization runs synchronously before any await, so one buffer per thread is enough and allocation-free.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _threadBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? _threadWriter;

    [ThreadStatic]
    private static AuditRecordWriter? _threadRecordWriter;

    private readonly IAuditPipeline _pipeline;
    private readonly IAuditGroupCommit? _groupCommit;
    private readonly AuditRecordingOptions _options;
    private readonly AuditMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CheckpointSigner? _signer;
    private readonly string _serviceName;
    private readonly string _kind;
    private readonly string _instance;
    private readonly Lock _chain = new();
    private readonly ArrayBufferWriter<byte> _checkpointBuffer = new(1024);

    // The values of ecs and service never change in a process: serialized once, copied into every record.
    private readonly byte[] _ecsValue;
    private readonly byte[] _serviceValue;
    private readonly byte[] _serviceMembers;
    private readonly AuditChainLinker _link;
    private int _sinceCheckpoint;
    private BudgetGuard? _guard;

    /// <summary>Creates the recorder of <paramref name="service"/>'s stream in this process.</summary>
    public AuditRecorder(GovernanceService service, IAuditPipeline pipeline, IOptions<AuditRecordingOptions> options, TimeProvider time, ILogger<AuditRecorder> logger)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        _pipeline = pipeline;
        _groupCommit = pipeline as IAuditGroupCommit;
        _options = options.Value;
        _time = time;
        _logger = logger;
        var kind = service.Name.ToLowerInvariant();
        _kind = kind;
        _serviceName = $"envoygovern-{kind}";
        // One chain per process: a restart starts a new stream rather than a chain that seems to lose its tail.
        _instance = Guid.CreateVersion7(time.GetUtcNow()).ToString("N")[..16];
        Stream = $"{kind}-{_instance}";
        _link = new AuditChainLinker(Stream);
        (_ecsValue, _serviceValue) = ConstantValues(_serviceName, _instance);
        _serviceMembers = [.. ",\"ecs\":"u8, .. _ecsValue, .. ",\"service\":"u8, .. _serviceValue];
        _metrics = new AuditMetrics(kind);
        Redaction = new AuditRedaction(_options.RedactQueryParameters);
        Headers = [.. _options.Headers.Select(h => h.ToLowerInvariant()).Where(h => !AuditRedaction.IsSecretHeader(h)).Distinct()];
        var checkpoint = _options.Checkpoint;
        if (string.IsNullOrWhiteSpace(checkpoint.KeyFile))
        {
            AuditLog.CheckpointsOff(logger, Stream);
        }
        else
        {
            _signer = CheckpointSigner.FromFile(checkpoint.KeyFile, checkpoint.KeyId);
            AuditLog.StreamStarted(logger, Stream, _signer.KeyId, checkpoint.Every, checkpoint.Interval);
        }
    }

    /// <summary>The chain stream of this instance: the service and a per-process id.</summary>
    public string Stream { get; }

    /// <summary>How query strings are redacted.</summary>
    public AuditRedaction Redaction { get; }

    /// <summary>Request headers that records may copy (lower-case, never a credential header).</summary>
    public IReadOnlyList<string> Headers { get; }

    /// <summary>The clock records are stamped with.</summary>
    public TimeProvider Time => _time;

    /// <summary>True when checkpoints are signed (a key is configured).</summary>
    public bool SignsCheckpoints => _signer is not null;

    /// <summary>
    /// Writes one record: <c>@timestamp</c>, then <paramref name="fields"/>, then <c>ecs</c>, <c>service</c> and the
    /// chain. Completes when the pipeline accepted (or its overflow policy dropped) the record; throws
    /// <see cref="AuditUnavailableException"/> when it could not within the budget.
    /// </summary>
    public ValueTask RecordAsync<TState>(string eventId, TState state, AuditFieldWriter<TState> fields, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var buffer = _threadBuffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        var writer = _threadWriter ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        writer.WriteStartObject();
        writer.WriteString(TimestampName, _time.GetUtcNow().UtcDateTime);
        fields(writer, state);
        WriteService(writer);
        writer.Flush();
        return Append(eventId, buffer, cancellationToken);
    }

    /// <summary>
    /// As <see cref="RecordAsync{TState}(string, TState, AuditFieldWriter{TState}, CancellationToken)"/>, with the
    /// fields written raw (<see cref="AuditRecordWriter"/>): for the records of every request, where the record's cost
    /// counts. <paramref name="fields"/> starts each member with its comma (<c>@timestamp</c> comes first).
    /// </summary>
    public ValueTask RecordAsync<TState>(string eventId, TState state, AuditRecordFieldWriter<TState> fields, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var buffer = _threadBuffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        var writer = _threadRecordWriter ??= new AuditRecordWriter(buffer);
        writer.Reset(buffer);
        writer.Raw("{\"@timestamp\":"u8);
        writer.Timestamp(_time.GetUtcNow().UtcDateTime);
        fields(writer, state);
        writer.Raw(_serviceMembers);
        return Append(eventId, buffer, cancellationToken);
    }

    private ValueTask Append(string eventId, ArrayBufferWriter<byte> buffer, CancellationToken cancellationToken)
    {
        Appended written = default;
        var checkpoint = Appended.Done;
        try
        {
            lock (_chain)
            {
                // A record followed by a checkpoint is enqueued, so that both go out in one write.
                var claim = _signer is null || _sinceCheckpoint + 1 < _options.Checkpoint.Every;
                written = AppendLocked(eventId, buffer, claim, cancellationToken);
                if (_signer is not null && ++_sinceCheckpoint >= _options.Checkpoint.Every)
                {
                    checkpoint = CheckpointLocked(cancellationToken);
                }
            }
        }
        catch (AuditUnavailableException)
        {
            _metrics.Unavailable();
            AuditLog.Unavailable(_logger, eventId, Stream, _options.WriteBudget);
            throw;
        }
        finally
        {
            // Outside the chain lock: a group-commit pipeline may write here, and the next record must not wait for
            // it. Also when the checkpoint was refused: the record before it was taken and must be written.
            if (written.Claimed)
            {
                _groupCommit!.CommitClaimed(buffer.WrittenSpan);
            }
            else
            {
                _groupCommit?.Commit();
            }
        }

        // After Commit: a record this thread wrote (nearly all) is complete here, with nothing allocated.
        var recorded = Outcome(written);
        var signed = Outcome(checkpoint);
        return recorded.IsCompletedSuccessfully && signed.IsCompletedSuccessfully
            ? Settle(recorded.Result, eventId)
            : AwaitAsync(recorded, signed, eventId);
    }

    /// <summary>Writes a signed checkpoint now if records were written since the last one (the timer and shutdown call this).</summary>
    public ValueTask CheckpointAsync(CancellationToken cancellationToken)
    {
        Appended appended;
        lock (_chain)
        {
            if (_signer is null || _sinceCheckpoint == 0)
            {
                return ValueTask.CompletedTask;
            }

            appended = CheckpointLocked(cancellationToken);
        }

        _groupCommit?.Commit();
        var checkpoint = Outcome(appended);
        return checkpoint.IsCompletedSuccessfully ? ValueTask.CompletedTask : AwaitCheckpointAsync(checkpoint);
    }

    private async ValueTask AwaitCheckpointAsync(ValueTask<bool> checkpoint) => await WithinBudgetAsync(checkpoint, "checkpoint");

    private Appended AppendLocked(string eventId, ArrayBufferWriter<byte> buffer, bool claim, CancellationToken cancellationToken)
    {
        _link.SealInPlace(buffer);
        var recordLength = buffer.WrittenCount;
        // Handed over inside the lock: the pipeline sees entries in chain order. If it refuses the entry at once,
        // the chain does not advance, so a refusal leaves no gap. A group-commit pipeline copies the bytes into its
        // batch (no array per record), or, when it has nothing else to write, lets this caller write its line from
        // this buffer (claimed: then the buffer ends with the line's newline until then); it is asked for the outcome
        // after the commit.
        Appended written;
        if (_groupCommit is not { } groupCommit)
        {
            var entry = new AuditEntry(eventId, Stream, _link.Sequence + 1, buffer.WrittenSpan.ToArray());
            written = new Appended(_pipeline.WriteAsync(entry, cancellationToken), 0, false);
        }
        else if (claim)
        {
            buffer.GetSpan(1)[0] = (byte)'\n';
            buffer.Advance(1);
            var ticket = groupCommit.EnqueueOrClaim(buffer.WrittenSpan, out var claimed);
            written = new Appended(default, ticket, claimed);
        }
        else
        {
            written = new Appended(default, groupCommit.Enqueue(buffer.WrittenSpan), false);
        }

        // The chain covers the record, not the newline a claimed line carries.
        _link.Advance(buffer.WrittenSpan[..recordLength]);
        return written;
    }

    private ValueTask<bool> Outcome(Appended appended) =>
        appended.Ticket > 0 && _groupCommit is { } groupCommit ? groupCommit.WhenWritten(appended.Ticket) : appended.Written;

    private Appended CheckpointLocked(CancellationToken cancellationToken)
    {
        var signer = _signer!;
        var records = _sinceCheckpoint;
        var id = Guid.CreateVersion7(_time.GetUtcNow()).ToString("N");
        var signature = signer.Sign(Stream, _link.Sequence + 1, _link.PreviousHash);
        _checkpointBuffer.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(_checkpointBuffer, WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("@timestamp", _time.GetUtcNow().UtcDateTime);
        EcsFields.WriteEvent(writer, new AuditEvent(id, "state", "audit-checkpoint", "success") { Types = ["info"] }, _kind);
        writer.WriteStartObject("envoygovern");
        writer.WriteStartObject("audit");
        writer.WriteStartObject("checkpoint");
        writer.WriteNumber("records", records);
        writer.WriteString("key_id", signer.KeyId);
        writer.WriteString("algorithm", CheckpointSigner.Algorithm);
        writer.WriteString("signature", signature);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        WriteService(writer);
        writer.Flush();
        var written = AppendLocked(id, _checkpointBuffer, claim: false, cancellationToken);
        _sinceCheckpoint = 0;
        _metrics.Checkpoint();
        return written;
    }

    private void WriteService(Utf8JsonWriter writer)
    {
        writer.WritePropertyName(EcsName);
        writer.WriteRawValue(_ecsValue, skipInputValidation: true);
        writer.WritePropertyName(ServiceName);
        writer.WriteRawValue(_serviceValue, skipInputValidation: true);
    }

    private static (byte[] Ecs, byte[] Service) ConstantValues(string serviceName, string instance)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using var writer = new Utf8JsonWriter(buffer, WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("version", EcsFields.Version);
        writer.WriteEndObject();
        writer.Flush();
        var ecs = buffer.WrittenSpan.ToArray();
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        writer.WriteStartObject();
        writer.WriteString("name", serviceName);
        writer.WriteString("type", "envoygovern");
        writer.WriteString("version", ServiceVersion);
        writer.WriteString("ephemeral_id", instance);
        writer.WriteStartObject("node");
        writer.WriteString("name", NodeName);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.Flush();
        return (ecs, buffer.WrittenSpan.ToArray());
    }

    // The callers waiting for one batch of a group-commit pipeline wait for the same task: they share one guard
    // (one budget timer per batch, not one per waiting call). The budget runs from the first waiter's call, so no
    // caller waits longer than the budget; one that joins the batch later may fail closed sooner.
    private Task<bool> Guarded(Task<bool> pending)
    {
        var guard = Volatile.Read(ref _guard);
        if (guard is null || !ReferenceEquals(guard.Pending, pending))
        {
            guard = new BudgetGuard(pending, pending.WaitAsync(_options.WriteBudget, _time));
            Volatile.Write(ref _guard, guard);
        }

        return guard.Guarded;
    }

    private ValueTask Settle(bool accepted, string eventId)
    {
        if (accepted)
        {
            _metrics.Accepted();
        }
        else
        {
            _metrics.Dropped();
            AuditLog.Dropped(_logger, eventId, Stream);
        }

        return ValueTask.CompletedTask;
    }

    private async ValueTask AwaitAsync(ValueTask<bool> written, ValueTask<bool> checkpoint, string eventId)
    {
        var accepted = await WithinBudgetAsync(written, eventId);
        await WithinBudgetAsync(checkpoint, "checkpoint");
        await Settle(accepted, eventId);
    }

    private async ValueTask<bool> WithinBudgetAsync(ValueTask<bool> pending, string eventId)
    {
        if (pending.IsCompletedSuccessfully)
        {
            return pending.Result;
        }

        try
        {
            // The pipeline should keep the budget itself; this bounds the request even when it does not.
            return await Guarded(pending.AsTask());
        }
        catch (TimeoutException ex)
        {
            _metrics.Unavailable();
            AuditLog.Unavailable(_logger, eventId, Stream, _options.WriteBudget);
            throw new AuditUnavailableException($"audit record {eventId} was not accepted within {_options.WriteBudget}", ex);
        }
        catch (AuditUnavailableException)
        {
            _metrics.Unavailable();
            AuditLog.Unavailable(_logger, eventId, Stream, _options.WriteBudget);
            throw;
        }
    }

    private sealed record BudgetGuard(Task<bool> Pending, Task<bool> Guarded);

    // A record handed to the pipeline: its outcome, or a group-commit pipeline's ticket to ask for it after the commit
    // (CommitClaimed when the caller claimed the write of its own line).
    private readonly record struct Appended(ValueTask<bool> Written, long Ticket, bool Claimed)
    {
        public static Appended Done => new(new ValueTask<bool>(true), 0, false);
    }
}
