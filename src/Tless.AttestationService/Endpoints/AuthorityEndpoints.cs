using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Tless.AttestationService.Services;
using Tless.Runtime.Protocol;

namespace Tless.AttestationService.Endpoints;

/// <summary>The HTTP API (docs/protocol.md): <c>/health</c> and the <c>/v1</c> group.</summary>
internal static class AuthorityEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", context =>
        {
            var state = context.RequestServices.GetRequiredService<AuthorityState>();
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync($"{{\"status\":\"ok\",\"authority\":\"{state.Id}\"}}", context.RequestAborted);
        });

        var v1 = endpoints.MapGroup("/v1");
        v1.MapGet("/authority", context =>
        {
            var state = context.RequestServices.GetRequiredService<AuthorityState>();
            var kinds = context.RequestServices.GetRequiredService<VerifierSet>().Kinds;
            return WriteAsync(context, state.Info(kinds), ProtocolJsonContext.Default.AuthorityInfo);
        });

        v1.MapPut("/workflows/{wf}", async context =>
        {
            var name = (string)context.Request.RouteValues["wf"]!;
            var request = await ReadAsync(context, ProtocolJsonContext.Default.RegisterRequest).ConfigureAwait(false);
            var registry = context.RequestServices.GetRequiredService<WorkflowRegistry>();
            var response = registry.Register(name, request);
            context.RequestServices.GetRequiredService<AuthorityMetrics>().Registered();
            await WriteAsync(context, response, ProtocolJsonContext.Default.RegisterResponse).ConfigureAwait(false);
        });

        v1.MapGet("/workflows/{wf}", context =>
        {
            var name = (string)context.Request.RouteValues["wf"]!;
            var registry = context.RequestServices.GetRequiredService<WorkflowRegistry>();
            if (!registry.TryGet(name, out var workflow))
            {
                throw Refusal.NotFound(ProblemCodes.UnknownWorkflow, $"Workflow '{Texts.Truncate(name)}' is not registered.");
            }

            var response = new RegisterResponse
            {
                Workflow = workflow.Name,
                Version = workflow.Version,
                UserKeySha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(workflow.UserKeySpki)),
                Pinned = false,
            };
            return WriteAsync(context, response, ProtocolJsonContext.Default.RegisterResponse);
        });

        v1.MapPost("/attest", async context =>
        {
            var request = await ReadAsync(context, ProtocolJsonContext.Default.AttestRequest).ConfigureAwait(false);
            var response = context.RequestServices.GetRequiredService<Minter>().Attest(request);
            await WriteAsync(context, response, ProtocolJsonContext.Default.AttestResponse).ConfigureAwait(false);
        });

        v1.MapPost("/release", async context =>
        {
            var request = await ReadAsync(context, ProtocolJsonContext.Default.ReleaseRequest).ConfigureAwait(false);
            var response = context.RequestServices.GetRequiredService<Minter>().Release(request);
            await WriteAsync(context, response, ProtocolJsonContext.Default.ReleaseResponse).ConfigureAwait(false);
        });

        endpoints.MapFallback(context => throw Refusal.NotFound(ProblemCodes.NotFound, $"No endpoint {context.Request.Method} {context.Request.Path}."));
    }

    private static Task WriteAsync<T>(HttpContext context, T value, JsonTypeInfo<T> type)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, value, type, context.RequestAborted);
    }

    /// <summary>Reads a JSON body of at most the configured size; refusals name what is wrong and where.</summary>
    private static async Task<T> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type)
        where T : class
    {
        var limit = context.RequestServices.GetRequiredService<AuthorityOptions>().MaxRequestBodyBytes;
        if (context.Request.ContentLength is { } length && length > limit)
        {
            throw new Refusal(413, ProblemCodes.BodyTooLarge, $"The body has {length} bytes; at most {limit} are accepted.");
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(limit + 1, 64 * 1024));
        var used = 0;
        try
        {
            while (true)
            {
                if (used == buffer.Length)
                {
                    if (used > limit)
                    {
                        throw new Refusal(413, ProblemCodes.BodyTooLarge, $"The body exceeds {limit} bytes.");
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, used).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await context.Request.Body.ReadAsync(buffer.AsMemory(used), context.RequestAborted).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                used += read;
                if (used > limit)
                {
                    throw new Refusal(413, ProblemCodes.BodyTooLarge, $"The body exceeds {limit} bytes.");
                }
            }

            if (used == 0)
            {
                throw Refusal.BadRequest(ProblemCodes.MalformedRequest, "The request has no body; a JSON object is expected.");
            }

            try
            {
                return JsonSerializer.Deserialize(buffer.AsSpan(0, used), type)
                    ?? throw Refusal.BadRequest(ProblemCodes.MalformedRequest, "The body is JSON null; a JSON object is expected.");
            }
            catch (JsonException e)
            {
                throw Refusal.BadRequest(ProblemCodes.MalformedRequest, "The body is not the expected JSON: " + e.Message);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
