namespace Tless.Runtime.Protocol;

/// <summary>
/// A protocol message (invocation token, authority token, wrapped key, request field) is malformed or refused.
/// <see cref="Code"/> is one of the stable <see cref="ProblemCodes"/>.
/// </summary>
public sealed class ProtocolException : TlessException
{
    public ProtocolException(string code, string message)
        : base(message)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        Code = code;
    }

    public ProtocolException(string code, string message, Exception? innerException)
        : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        Code = code;
    }

    /// <summary>The stable error code (see <see cref="ProblemCodes"/>).</summary>
    public string Code { get; }
}
