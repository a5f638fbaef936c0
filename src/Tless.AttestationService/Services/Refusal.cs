using Tless.Runtime.Protocol;

namespace Tless.AttestationService.Services;

/// <summary>
/// A refused request: becomes an RFC 7807 problem with <see cref="Code"/>. The message goes to the client
/// and must not reveal secrets; <see cref="LogDetail"/> (what exactly failed) goes only to the server log.
/// </summary>
internal sealed class Refusal : Exception
{
    public Refusal(int status, string code, string message, string? logDetail = null)
        : base(message)
    {
        Status = status;
        Code = code;
        LogDetail = logDetail;
    }

    public int Status { get; }

    public string Code { get; }

    public string? LogDetail { get; }

    public static Refusal BadRequest(string code, string message, string? logDetail = null) => new(400, code, message, logDetail);

    public static Refusal Forbidden(string code, string message, string? logDetail = null) => new(403, code, message, logDetail);

    public static Refusal Conflict(string code, string message, string? logDetail = null) => new(409, code, message, logDetail);

    public static Refusal NotFound(string code, string message) => new(404, code, message);

    public static Refusal From(ProtocolException e) => new(
        e.Code is ProblemCodes.TokenSignatureInvalid or ProblemCodes.ParentNotVouched ? 403 : 400, e.Code, e.Message);
}

internal static class Texts
{
    /// <summary>Caller-provided text shortened for messages.</summary>
    public static string Truncate(string? s) => s is null ? "(null)" : s.Length <= 64 ? s : s[..64] + "...";
}
