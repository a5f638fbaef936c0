using System.Security.Cryptography;
using FsCheck;
using FsCheck.Xunit;
using Tless.Runtime.Protocol;

namespace Tless.AttestationService.Tests.Protocol;

public sealed class KeyWrapTests
{
    [Property(MaxTest = 50)]
    public bool Wrap_ThenUnwrap_RoundTrips(byte[] secret, NonNull<string> context)
    {
        using var host = HostIdentity.Create();
        var wrapped = KeyWrap.Wrap(host.KeyAgreementPublicKey, secret, context.Get);
        return host.TryUnwrap(wrapped, context.Get, out var plain) && plain.AsSpan().SequenceEqual(secret);
    }

    [Fact]
    public void Unwrap_WrongKeyContextOrTampered_Fails()
    {
        using var host = HostIdentity.Create();
        using var other = HostIdentity.Create();
        var wrapped = KeyWrap.Wrap(host.KeyAgreementPublicKey, "key part"u8, "ctx");
        Assert.False(other.TryUnwrap(wrapped, "ctx", out _));
        Assert.False(host.TryUnwrap(wrapped, "ctx2", out _));
        for (var i = 0; i < wrapped.Length; i += 7)
        {
            var tampered = wrapped.ToArray();
            tampered[i] ^= 0x20;
            Assert.False(host.TryUnwrap(tampered, "ctx", out _));
        }

        Assert.False(host.TryUnwrap(wrapped.AsSpan(0, 50), "ctx", out _));
        Assert.False(host.TryUnwrap([], "ctx", out _));
    }

    [Fact]
    public void Wrap_InvalidRecipient_ProtocolException()
    {
        var e = Assert.Throws<ProtocolException>(() => KeyWrap.Wrap(new byte[64], "x"u8, "c"));
        Assert.Equal(ProblemCodes.KeyInvalid, e.Code);
        Assert.Throws<ProtocolException>(() => KeyWrap.Wrap(new byte[65], "x"u8, "c"));
    }

    [Fact]
    public void ReportData_EveryInputMatters()
    {
        using var a = HostIdentity.Create();
        using var b = HostIdentity.Create();
        var tokens = new[] { "t1.x.y", "t2.x.y" };
        var baseline = a.ReportData(tokens);
        Assert.Equal(64, baseline.Length);
        Assert.Equal(baseline, ReportDataBinding.Compute(a.KeyAgreementPublicKey, a.SigningPublicKey, a.Gid, tokens));
        Assert.NotEqual(baseline, ReportDataBinding.Compute(b.KeyAgreementPublicKey, a.SigningPublicKey, a.Gid, tokens));
        Assert.NotEqual(baseline, ReportDataBinding.Compute(a.KeyAgreementPublicKey, b.SigningPublicKey, a.Gid, tokens));
        Assert.NotEqual(baseline, ReportDataBinding.Compute(a.KeyAgreementPublicKey, a.SigningPublicKey, b.Gid, tokens));
        Assert.NotEqual(baseline, a.ReportData([tokens[1], tokens[0]]));
        Assert.NotEqual(baseline, a.ReportData([tokens[0]]));
        Assert.Throws<ArgumentException>(() => ReportDataBinding.Compute(new byte[64], a.SigningPublicKey, a.Gid, tokens));
        Assert.Throws<ArgumentException>(() => ReportDataBinding.Compute(a.KeyAgreementPublicKey, a.SigningPublicKey, "short", tokens));
    }

    [Fact]
    public void ReportData_KnownAnswer_DocumentedEncoding()
    {
        // Recomputes docs/protocol.md's formula independently.
        var ecdh = new byte[65];
        ecdh[0] = 4;
        var sign = Enumerable.Repeat((byte)1, 65).ToArray();
        var gid = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
        string[] tokens = ["a.b.c"];
        var preimage = "tless/v1"u8.ToArray()
            .Concat(ecdh).Concat(sign).Concat(new byte[] { 0, 32 }).Concat(System.Text.Encoding.ASCII.GetBytes(gid))
            .Concat(SHA256.HashData(SHA256.HashData("a.b.c"u8)))
            .ToArray();
        Assert.Equal(SHA512.HashData(preimage), ReportDataBinding.Compute(ecdh, sign, gid, tokens));
    }
}
