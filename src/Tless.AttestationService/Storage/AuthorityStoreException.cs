namespace Tless.AttestationService.Storage;

/// <summary>The authority's state under <c>--data</c> cannot be opened, read or decrypted; it is left untouched.</summary>
public sealed class AuthorityStoreException : TlessException
{
    public AuthorityStoreException(string message)
        : base(message)
    {
    }

    public AuthorityStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
