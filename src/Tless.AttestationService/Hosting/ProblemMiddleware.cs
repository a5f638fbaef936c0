using Tless.AttestationService.Services;
using Tless.Runtime.Protocol;

namespace Tless.AttestationService.Hosting;

/// <summary>Turns refusals and failures into problems; counts refusals by code; logs without secrets.</summary>
internal sealed class ProblemMiddleware(RequestDelegate next, AuthorityMetrics metrics, ILogger<ProblemMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Refusal refusal)
        {
            metrics.Refused(refusal.Code);
            Log.Refused(logger, context.Request.Method, context.Request.Path, refusal.Code, refusal.Message, refusal.LogDetail);
            await ProblemWriter.WriteAsync(context, refusal.Status, refusal.Code, refusal.Message).ConfigureAwait(false);
        }
        catch (ProtocolException e)
        {
            var refusal = Refusal.From(e);
            metrics.Refused(refusal.Code);
            Log.Refused(logger, context.Request.Method, context.Request.Path, refusal.Code, refusal.Message, null);
            await ProblemWriter.WriteAsync(context, refusal.Status, refusal.Code, refusal.Message).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            var code = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? ProblemCodes.BodyTooLarge : ProblemCodes.MalformedRequest;
            metrics.Refused(code);
            Log.Refused(logger, context.Request.Method, context.Request.Path, code, e.Message, null);
            await ProblemWriter.WriteAsync(context, e.StatusCode, code, e.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away or the request timed out; the timeout policy writes the answer.
        }
        catch (Exception e)
        {
            metrics.Refused(ProblemCodes.InternalError);
            Log.Failed(logger, e, context.Request.Method, context.Request.Path);
            await ProblemWriter.WriteAsync(context, 500, ProblemCodes.InternalError, "The authority failed to serve the request; see its log.").ConfigureAwait(false);
        }
    }
}
