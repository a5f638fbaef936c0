namespace Tless.Crypto.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void FormatException_CarriesMessage() => Assert.Equal("x", new TlessFormatException("x").Message);
}
