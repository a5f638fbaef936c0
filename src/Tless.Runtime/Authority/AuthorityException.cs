namespace Tless.Runtime.Authority;

/// <summary>
/// An attestation service refused a request (a 4xx/5xx problem with a stable <see cref="Code"/>), or could not be
/// reached after the retries for transient failures.
/// </summary>
public sealed class AuthorityException : TlessException
{
    public AuthorityException(string code, int? status, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        Code = code;
        Status = status;
    }

    /// <summary>A <see cref="Protocol.ProblemCodes"/> value, or <c>unreachable</c> / <c>bad_response</c> / <c>certificate_mismatch</c>.</summary>
    public string Code { get; }

    /// <summary>The HTTP status, or null when no response came.</summary>
    public int? Status { get; }

    /// <summary>The service could not be reached or did not answer (after retries).</summary>
    public const string Unreachable = "unreachable";

    /// <summary>The service answered with something that is not the documented message.</summary>
    public const string BadResponse = "bad_response";
}
