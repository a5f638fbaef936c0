using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Tless.Crypto.Tests")]
