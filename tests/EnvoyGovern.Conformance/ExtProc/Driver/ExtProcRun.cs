using Envoy.Service.ExtProc.V3;
using EnvoyGovern.Conformance.Headers;
using EnvoyGovern.Conformance.Wire;
using ReplyKind = Envoy.Service.ExtProc.V3.ProcessingResponse.ResponseOneofCase;

namespace EnvoyGovern.Conformance.ExtProc.Driver;

/// <summary>One exchange driven through the processor: the state Envoy's filter keeps for a stream.</summary>
internal sealed partial class ExtProcRun(ExtProcFilterConfig config, ProcessorStream stream)
{
    private readonly ExtProcFilterConfig _config = config;
    private readonly ProcessorStream _stream = stream;
    private readonly ModeState _modes = new(config.ProcessingMode);
    private readonly MutationRuleChecker _checker = new(config.MutationRules);
    private readonly List<ConformanceViolation> _violations = [];
    private bool _protocolConfigSent;

    /// <summary>The processor closed the stream, or failure_mode_allow swallowed an error: Envoy goes on alone.</summary>
    private bool _complete;

    private int? _localReplyStatus;
    private ImmediateResponse? _immediate;
    private bool _streamError;

    private bool Terminated => _localReplyStatus is not null;

    /// <summary>Adds protocol_config to the first message of the stream, as Envoy 1.32+ does.</summary>
    private async Task SendAsync(ProcessingRequest request, bool recordAlone)
    {
        if (!_protocolConfigSent)
        {
            request = ExtProcWire.WithProtocolConfig(request, _modes.Body(Direction.Request), _modes.Body(Direction.Response),
                _config.SendBodyWithoutWaitingForHeaderResponse);
            _protocolConfigSent = true;
        }

        await _stream.SendAsync(request, recordAlone);
    }

    private async Task<ProcessingResponse?> ExchangeAsync(ProcessingRequest request, Func<ExtProcMessageContext> context)
    {
        await SendAsync(request, recordAlone: false);
        return await AwaitAnswerAsync(request, context, timed: true);
    }

    /// <summary>
    /// Waits for the answer to <paramref name="sent"/>. Returns it when Envoy would apply it; null when
    /// processing stopped (local reply, or the stream is done and traffic flows on unprocessed).
    /// </summary>
    private Task<ProcessingResponse?> AwaitAnswerAsync(ProcessingRequest? sent, Func<ExtProcMessageContext> context, bool timed) =>
        AwaitAnswerAsync(sent, _ => context(), timed);

    /// <summary>As above, for answers whose expected kind depends on the answer itself (full duplex).</summary>
    private async Task<ProcessingResponse?> AwaitAnswerAsync(ProcessingRequest? sent, Func<ProcessingResponse, ExtProcMessageContext> context, bool timed)
    {
        var timeout = timed ? _config.MessageTimeout : _config.FullDuplexIdleTimeout;
        var overrideUsed = false;
        var paired = false;
        while (true)
        {
            var read = await _stream.ReadAsync(timeout);
            if (read.Kind != ReadKind.Message)
            {
                if (sent is not null && !paired)
                {
                    _stream.Transcript.Add(new(sent, null));
                }

                OnStreamStopped(read, timed);
                return null;
            }

            var message = read.Message!;
            _stream.Transcript.Add(new(paired ? null : sent, message));
            paired = sent is not null;
            var violations = ExtProcResponseRules.Validate(message, context(message) with { OverrideUsedInState = overrideUsed });
            _violations.AddRange(violations);
            if (message.OverrideMessageTimeout is not null)
            {
                if (timed && !overrideUsed && !violations.Any(v => v.Rule is ExtProcRuleIds.OverrideTimeoutOutOfRange))
                {
                    timeout = message.OverrideMessageTimeout.ToTimeSpan();
                    overrideUsed = true;
                }

                continue;
            }

            return Judge(message, violations);
        }
    }

    private ProcessingResponse? Judge(ProcessingResponse message, IReadOnlyList<ConformanceViolation> violations)
    {
        if (violations.Any(v => ExtProcRuleIds.Spurious.Contains(v.Rule)))
        {
            FailOrContinue(500);
            return null;
        }

        if (violations.Any(v => ExtProcRuleIds.Errors.Contains(v.Rule)))
        {
            _localReplyStatus = 500;
            return null;
        }

        if (message.ResponseCase == ReplyKind.ImmediateResponse)
        {
            _immediate = message.ImmediateResponse;
            var code = (int)(_immediate.Status?.Code ?? 0);
            _localReplyStatus = code >= 200 ? code : 200;
            return null;
        }

        return message;
    }

    private void OnStreamStopped(StreamRead read, bool timed)
    {
        switch (read.Kind)
        {
            case ReadKind.Timeout when timed:
                _violations.Add(new(ExtProcRuleIds.MessageTimeout, $"No answer within message_timeout ({_config.MessageTimeout.TotalMilliseconds} ms); Envoy answers 504."));
                FailOrContinue(504);
                break;
            case ReadKind.Timeout:
                _violations.Add(new(ExtProcRuleIds.Stalled, $"No full-duplex answer within {_config.FullDuplexIdleTimeout.TotalSeconds} s; the request would hang."));
                _localReplyStatus = 504;
                break;
            case ReadKind.Error:
                _streamError = true;
                _violations.Add(new(ExtProcRuleIds.StreamError, $"Stream failed with {read.Status}; Envoy answers 500 unless failure_mode_allow."));
                FailOrContinue(500);
                break;
            default:
                // Closing with OK means "no more processing": Envoy continues unmodified.
                _complete = true;
                break;
        }
    }

    private void FailOrContinue(int status)
    {
        if (_config.FailureModeAllow)
        {
            _complete = true;
        }
        else
        {
            _localReplyStatus = status;
        }
    }
}
