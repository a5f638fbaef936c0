using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Tless.Attestation.Dcap;
using static Tless.Attestation.Tests.Dcap.DcapFixtures;

namespace Tless.Attestation.Tests.Dcap;

/// <summary>Malformed quotes: truncated, oversized, wrong TEE, random and mutated bytes. Only failed results, never an exception.</summary>
public sealed class DcapQuoteParsingTests
{
    private static readonly Lazy<(DcapVerifier Sgx, DcapVerifier Tdx, byte[] SgxQuote, byte[] TdxQuote)> Shared = new(() =>
        (Verifier(SgxFolder), Verifier(TdxFolder), Quote(SgxFolder), Quote(TdxFolder)));


    [Fact]
    public void Verify_EveryTruncationOfSgxQuote_FailsQuoteFormat()
    {
        var (sgx, _, quote, _) = Shared.Value;

        for (var length = 0; length < quote.Length; length++)
        {
            var result = sgx.Verify(quote.AsSpan(0, length));
            Assert.True(result.FailedCheck == "quote_format", $"length {length}: {result.FailedCheck} {result.Detail}");
        }
    }

    [Fact]
    public void Verify_TruncationsOfTdxQuote_FailUntilOnlyZeroPaddingIsCut()
    {
        var (_, tdx, _, quote) = Shared.Value;
        const int SignedEnd = 48 + 584 + 4 + 4300; // header, TD report body, length field, signature data

        for (var length = 0; length < SignedEnd; length++)
        {
            var result = tdx.Verify(quote.AsSpan(0, length));
            Assert.True(result.FailedCheck == "quote_format", $"length {length}: {result.FailedCheck} {result.Detail}");
        }

        Assert.True(tdx.Verify(quote.AsSpan(0, SignedEnd)).IsValid);
    }

    [Theory]
    [InlineData(SgxFolder)]
    [InlineData(TdxFolder)]
    public void Verify_TrailingNonZeroByte_FailsQuoteFormat(string folder)
    {
        byte[] quote = [.. Quote(folder), 0x01];

        var result = Verifier(folder).Verify(quote);

        Assert.Equal("quote_format", result.FailedCheck);
        Assert.Contains("non-zero byte", result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SgxFolder)]
    [InlineData(TdxFolder)]
    public void Verify_QuoteLargerThanLimit_FailsQuoteFormat(string folder)
    {
        var quote = new byte[DcapQuote.MaxQuoteSize + 1];
        Quote(folder).CopyTo(quote, 0);

        var result = Verifier(folder).Verify(quote);

        Assert.Equal("quote_format", result.FailedCheck);
        Assert.Contains("more than", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ZeroPaddingAfterSgxQuote_Valid()
    {
        byte[] quote = [.. Quote(SgxFolder), .. new byte[100]];

        Assert.True(Verifier(SgxFolder).Verify(quote).IsValid);
    }

    [Fact]
    public void Verify_HugeDeclaredSignatureLength_FailsQuoteFormatWithOffset()
    {
        var quote = Quote(SgxFolder);
        quote[432 + 3] = 0x7f; // signature_data_len high byte

        var result = Verifier(SgxFolder).Verify(quote);

        Assert.Equal("quote_format", result.FailedCheck);
        Assert.Contains("offset 432", result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SgxFolder, TdxFolder)]
    [InlineData(TdxFolder, SgxFolder)]
    public void Verify_QuoteOfOtherTee_FailsQuoteHeader(string quoteFolder, string verifierFolder)
    {
        var result = Verifier(verifierFolder).Verify(Quote(quoteFolder));

        Assert.Equal("quote_header", result.FailedCheck);
    }

    [Theory]
    [InlineData(SgxFolder, 2, "quote_header")] // attestation key type 2 -> 3 (ECDSA P-384)
    [InlineData(SgxFolder, 12, "quote_header")] // QE vendor id
    [InlineData(SgxFolder, 4, "quote_header")] // TEE type
    [InlineData(SgxFolder, 0, "quote_format")] // version 3 -> 2
    [InlineData(TdxFolder, 0, "quote_format")] // version 4 -> 5: the TDX 1.5 layout is not supported
    public void Verify_HeaderFieldChanged_FailsNamedCheck(string folder, int offset, string expected)
    {
        var quote = Quote(folder);
        quote[offset] ^= 0x01;

        var result = Verifier(folder).Verify(quote);

        Assert.Equal(expected, result.FailedCheck);
    }

    [Theory]
    [InlineData(SgxFolder)]
    [InlineData(TdxFolder)]
    public void Verify_CollateralOfOtherPlatform_Fails(string folder)
    {
        var other = folder == SgxFolder ? TdxFolder : SgxFolder;

        var result = Verifier(folder, collateral: Collateral(other)).Verify(Quote(folder));

        // the PCK CRL of the other platform is issued by the other PCK CA (Processor vs Platform)
        Assert.Equal("pck_crl", result.FailedCheck);
    }

    [Fact]
    public void Verify_TcbInfoOfOtherPlatform_FailsTcbInfo()
    {
        var sgx = Collateral(SgxFolder);
        var tdx = Collateral(TdxFolder);
        var mixed = sgx with
        {
            TcbInfo = tdx.TcbInfo,
            TcbInfoSignature = tdx.TcbInfoSignature,
            TcbInfoIssuerChain = tdx.TcbInfoIssuerChain,
        };

        var result = Verifier(SgxFolder, collateral: mixed).Verify(Quote(SgxFolder));

        Assert.Equal("tcb_info", result.FailedCheck);
    }

    // The properties run on the private test PKI (no shared data: a property cannot skip when ../shared is absent);
    // the same parser and checks run on the real quotes in Verify_SeededMutationsOfFixtureQuote_FailOrKeepClaims.
    private static readonly Lazy<(DcapVerifier Sgx, DcapVerifier Tdx, byte[] SgxQuote, byte[] TdxQuote, AttestationClaims SgxClaims, AttestationClaims TdxClaims)> Synthetic = new(() =>
    {
        var pki = new DcapTestPki();
        var (sgx, tdx) = (pki.Verifier(TeeKind.Sgx), pki.Verifier(TeeKind.Tdx));
        var (sgxQuote, tdxQuote) = (pki.SgxQuote(), pki.TdxQuote());
        return (sgx, tdx, sgxQuote, tdxQuote, sgx.Verify(sgxQuote).Claims!, tdx.Verify(tdxQuote).Claims!);
    });

    [Property(MaxTest = 200)]
    public Property Verify_RandomBytes_FailsWithoutThrowing()
    {
        var gen = Gen.Choose(0, 1000).SelectMany(n => Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), n));
        return Prop.ForAll(gen.ToArbitrary(), bytes =>
            !Synthetic.Value.Sgx.Verify(bytes).IsValid && !Synthetic.Value.Tdx.Verify(bytes).IsValid);
    }

    [Property(MaxTest = 200)]
    public Property Verify_RandomTailAfterPlausibleHeader_FailsWithoutThrowing()
    {
        // a plausible header (version, key type, TEE type) keeps the fuzz going past the first checks
        var gen = from tdx in ArbMap.Default.GeneratorFor<bool>()
                  from tail in Gen.Choose(0, 3000).SelectMany(n => Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), n))
                  select (tdx, tail);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            byte[] header = t.tdx ? [4, 0, 2, 0, 0x81, 0, 0, 0] : [3, 0, 2, 0, 0, 0, 0, 0];
            return !(t.tdx ? Synthetic.Value.Tdx : Synthetic.Value.Sgx).Verify([.. header, .. t.tail]).IsValid;
        });
    }

    [Property(MaxTest = 200)]
    public Property Verify_MutatedQuote_FailsOrKeepsTheSameClaims()
    {
        var gen = from tdx in ArbMap.Default.GeneratorFor<bool>()
                  from edits in Gen.ListOf(Gen.Zip(Gen.Choose(0, 1 << 16), ArbMap.Default.GeneratorFor<byte>())).Where(l => l.Count is > 0 and <= 8)
                  select (tdx, edits);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var s = Synthetic.Value;
            return FailsOrKeepsClaims(t.tdx ? s.Tdx : s.Sgx, t.tdx ? s.TdxQuote : s.SgxQuote, t.tdx ? s.TdxClaims : s.SgxClaims, t.edits);
        });
    }

    [Theory]
    [InlineData(SgxFolder)]
    [InlineData(TdxFolder)]
    public void Verify_SeededMutationsOfFixtureQuote_FailOrKeepClaims(string folder)
    {
        var verifier = Verifier(folder);
        var quote = Quote(folder);
        var reference = verifier.Verify(quote).Claims!;
        var random = new Random(20251204);

        for (var i = 0; i < 150; i++)
        {
            var edits = Enumerable.Range(0, random.Next(1, 6)).Select(_ => (random.Next(quote.Length), (byte)random.Next(256))).ToList();
            Assert.True(FailsOrKeepsClaims(verifier, quote, reference, edits), $"mutation {i}");
        }
    }

    // Some bytes are not covered by any signature on purpose (PEM line breaks, zero padding): such edits may stay
    // valid, but then nothing that the claims say may have changed.
    private static bool FailsOrKeepsClaims(DcapVerifier verifier, byte[] original, AttestationClaims reference, IEnumerable<(int At, byte Value)> edits)
    {
        var quote = (byte[])original.Clone();
        foreach (var (at, value) in edits)
        {
            quote[at % quote.Length] = value;
        }

        var result = verifier.Verify(quote);
        return !result.IsValid ||
               (result.Claims!.Measurement == reference.Measurement &&
                result.Claims.ReportData.SequenceEqual(reference.ReportData) &&
                result.Claims.Status == reference.Status &&
                result.Claims.Extra.Count == reference.Extra.Count &&
                result.Claims.Extra.All(kv => reference.Extra[kv.Key] == kv.Value));
    }
}
