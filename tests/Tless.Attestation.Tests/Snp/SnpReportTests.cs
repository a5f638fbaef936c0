using FsCheck.Xunit;
using Tless.Attestation.Snp;
using static Tless.Attestation.Tests.Snp.SnpFixtures;

namespace Tless.Attestation.Tests.Snp;

public sealed class SnpReportTests
{
    [Fact]
    public void Parse_MilanV2_DecodesFields()
    {
        var r = SnpReport.Parse(Bytes("snp-milan-v2-virtee", "report.bin"));

        Assert.Equal(2u, r.Version);
        Assert.Equal(0x30000ul, r.Policy);
        Assert.False(r.Debug);
        Assert.True(r.SmtAllowed);
        Assert.Equal(1u, r.SignatureAlgorithm);
        Assert.Equal(SnpSigningKey.Vcek, r.SigningKey);
        Assert.Equal(SnpProduct.Unknown, r.CpuidProduct);
        Assert.Equal("bl=3 tee=0 snp=8 ucode=115", new SnpTcb(r.ReportedTcb, SnpProduct.Milan).ToString());
        Assert.Equal(96, r.Signature.Length);
    }

    [Fact]
    public void Parse_GenoaV3_ReadsCpuid()
    {
        var r = SnpReport.Parse(Bytes("snp-genoa-v3-azure-trustee", "report.bin"));

        Assert.Equal(3u, r.Version);
        Assert.Equal(SnpProduct.Genoa, r.CpuidProduct);
        Assert.Equal(0x3001Ful, r.Policy);
    }

    [Fact]
    public void Parse_VlekReport_SigningKeyVlek()
    {
        var r = SnpReport.Parse(Bytes("snp-milan-v3-vlek-trustee", "report.bin"));

        Assert.Equal(SnpSigningKey.Vlek, r.SigningKey);
        Assert.Equal(SnpProduct.Milan, r.CpuidProduct);
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(6u)]
    [InlineData(0xFFFFFFFFu)]
    public void Parse_UnsupportedVersion_Throws(uint version)
    {
        var bytes = Bytes("snp-milan-v2-virtee", "report.bin");
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 4), version);

        var ex = Assert.Throws<TlessFormatException>(() => SnpReport.Parse(bytes));
        Assert.Contains("version", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NonZeroSignaturePadding_Throws()
    {
        var bytes = Bytes("snp-milan-v2-virtee", "report.bin");
        bytes[0x2A0 + 60] = 1;

        var ex = Assert.Throws<TlessFormatException>(() => SnpReport.Parse(bytes));
        Assert.Contains("signature_r", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tcb_TurinLayout_DecodesFmcFirst()
    {
        var tcb = new SnpTcb(0x2A00000004030201, SnpProduct.Turin);

        Assert.Equal("fmc=1 bl=2 tee=3 snp=4 ucode=42", tcb.ToString());
    }

    [Theory]
    [InlineData(0x19, 0x01, SnpProduct.Milan)]
    [InlineData(0x19, 0x11, SnpProduct.Genoa)]
    [InlineData(0x19, 0xA0, SnpProduct.Genoa)]
    [InlineData(0x1A, 0x02, SnpProduct.Turin)]
    [InlineData(0x17, 0x01, SnpProduct.Unknown)]
    public void ProductFromCpuid_KnownModels_MapsToProduct(byte family, byte model, SnpProduct expected)
    {
        Assert.Equal(expected, SnpReport.ProductFromCpuid(family, model));
    }

    [Fact]
    public void DecodeHwId_RawAndWrapped_Agree()
    {
        var chip = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();

        Assert.Equal(chip, AmdCertificate.DecodeHwId(chip, "t"));
        Assert.Equal(chip, AmdCertificate.DecodeHwId([0x04, 0x40, .. chip], "t"));
        Assert.Throws<TlessFormatException>(() => AmdCertificate.DecodeHwId([0x04, 0x20, .. chip[..32]], "t"));
        Assert.Throws<TlessFormatException>(() => AmdCertificate.DecodeHwId(chip[..30], "t"));
    }

    [Property(MaxTest = 200)]
    public void Parsers_RandomBytes_ThrowOnlyFormat(byte[] data)
    {
        data ??= [];
        byte[] hcl = [.. "HCLA"u8, .. data];
        foreach (var parse in new Action[] { () => SnpReport.Parse(data), () => AzureHclReport.Parse(hcl), () => SnpCertTable.Parse(data) })
        {
            try
            {
                parse();
            }
            catch (TlessFormatException)
            {
            }
        }
    }

    [Fact]
    public void AzureHcl_MutatedHeaders_ThrowOnlyFormat()
    {
        var hcl = Bytes("snp-genoa-v3-azure-trustee", "hcl_report.bin");
        var rng = new Random(7);
        int[] fields = [0x04, 0x08, 0x0C, 0x4C0, 0x4C4, 0x4C8, 0x4CC, 0x4D0];
        for (var i = 0; i < 300; i++)
        {
            var m = (byte[])hcl.Clone();
            var at = fields[rng.Next(fields.Length)] + rng.Next(4);
            m[at] ^= (byte)rng.Next(1, 256);
            try
            {
                var parsed = AzureHclReport.Parse(m);
                Assert.Equal(SnpReport.Size, parsed.SnpReport.Length);
            }
            catch (TlessFormatException)
            {
            }
        }
    }

    [Fact]
    public void TcbFloor_ParseToString_RoundTrip()
    {
        var floor = SnpTcbFloor.Parse("bl=3 tee=0 snp=8 ucode=115");

        Assert.Equal(new SnpTcbFloor(3, 0, 8, 115), floor);
        Assert.Equal("bl=3 tee=0 snp=8 ucode=115", floor.ToString());
        Assert.Equal(7, SnpTcbFloor.Parse("ucode=1,snp=2 tee=3 bl=4 fmc=7").Fmc);
    }

    [Theory]
    [InlineData("")]
    [InlineData("bl=3 tee=0 snp=8")]
    [InlineData("bl=3 tee=0 snp=8 ucode=256")]
    [InlineData("bl=3 bl=4 tee=0 snp=8 ucode=1")]
    [InlineData("bl=-1 tee=0 snp=8 ucode=1")]
    [InlineData("bl=3 tee=0 snp=8 ucode=1 x=2")]
    public void TcbFloor_Malformed_Throws(string text) => Assert.Throws<ArgumentException>(() => SnpTcbFloor.Parse(text));
}
