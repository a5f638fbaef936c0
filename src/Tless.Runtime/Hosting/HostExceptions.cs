namespace Tless.Runtime.Hosting;

/// <summary>The host refused an invocation: bad token, wrong target, replay, missing key, expired identity.</summary>
public sealed class InvocationRefusedException : TlessException
{
    public InvocationRefusedException(string message)
        : base(message)
    {
    }

    public InvocationRefusedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>An object did not pass an integrity check (digest mismatch, failed decryption): it names the object.</summary>
public sealed class ObjectIntegrityException : TlessException
{
    public ObjectIntegrityException(string key, string problem)
        : base($"object '{key}' {problem}")
    {
        Key = key;
    }

    /// <summary>The object key.</summary>
    public string Key { get; }
}

/// <summary>A function threw, or misused its context; carries the instance and the function's message.</summary>
public sealed class FunctionFailedException : TlessException
{
    public FunctionFailedException(string instance, string message, Exception? innerException)
        : base($"function {instance} failed: {message}", innerException)
    {
        Instance = instance;
    }

    /// <summary>The failing instance, <c>node#index</c>.</summary>
    public string Instance { get; }
}

/// <summary>A run failed; the message names the failing instance and the cause.</summary>
public sealed class RunFailedException : TlessException
{
    public RunFailedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
