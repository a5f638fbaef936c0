namespace Tless;

/// <summary>
/// The base of every error that a TLess library throws on purpose (malformed input, refused evidence, protocol
/// violations). Misuse of an API (null, wrong length) throws <see cref="ArgumentException"/> instead.
/// </summary>
public abstract class TlessException : Exception
{
    protected TlessException(string message)
        : base(message)
    {
    }

    protected TlessException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Bytes or text from outside the process do not have the documented format.</summary>
public sealed class TlessFormatException : TlessException
{
    public TlessFormatException(string message)
        : base(message)
    {
    }

    public TlessFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
