using System.Text.Json;
using Tless.Runtime.Protocol;

namespace Tless.AttestationService.Hosting;

/// <summary>Writes RFC 7807 problems with the protocol's stable <c>code</c>.</summary>
internal static class ProblemWriter
{
    public static Task WriteAsync(HttpContext context, int status, string code, string detail)
    {
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        context.Response.Clear();
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        var problem = new ProblemDocument
        {
            Type = "https://tless.dev/problems/" + code,
            Title = Title(status),
            Status = status,
            Detail = detail,
            Code = code,
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, problem, ProtocolJsonContext.Default.ProblemDocument, context.RequestAborted);
    }

    private static string Title(int status) => status switch
    {
        400 => "Bad request",
        403 => "Refused",
        404 => "Not found",
        409 => "Conflict",
        413 => "Request body too large",
        429 => "Too many requests",
        503 => "Request timed out",
        _ => "Server error",
    };
}
