using System.Text;
using Tless.Crypto.Abe;
using Tless.Runtime.Authority;
using Tless.Runtime.Protocol;
using Tless.Workflows;

namespace Tless.AttestationService.Tests;

/// <summary>Authorities on real loopback sockets with TLS and certificate pinning, end to end through CP-ABE.</summary>
public sealed class MultiAuthorityTests : IDisposable
{
    private readonly TestBed bed = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => bed.Dispose();

    [Theory]
    [InlineData(2, AuthorityMode.AllOf)]
    [InlineData(3, AuthorityMode.AllOf)]
    [InlineData(3, AuthorityMode.AnyOf)]
    public async Task Chain_SeveralAuthorities_KeyPartsDecryptNodeCiphertext(int count, AuthorityMode mode)
    {
        var running = new List<RunningAuthority>();
        var clients = new List<AuthorityClient>();
        try
        {
            for (var i = 1; i <= count; i++)
            {
                var options = bed.Options($"as{i}") with { InsecureHttp = false, TimeProvider = TimeProvider.System };
                var authority = await AttestationServiceHost.StartAsync(options, Ct);
                running.Add(authority);
                Assert.Equal("https", authority.Url.Scheme);
                Assert.NotNull(authority.CertificateSha256);
                clients.Add(new AuthorityClient(authority.ClientOptions with { MaxRetries = 0 }));
            }

            var infos = new List<AuthorityInfo>();
            foreach (var c in clients)
            {
                infos.Add(await c.GetAuthorityAsync(Ct));
            }

            var registration = bed.Registration("chain", infos, mode);
            var signed = bed.Signed(registration);
            foreach (var c in clients)
            {
                var registered = await c.RegisterAsync("chain", signed, Ct);
                Assert.True(registered.Pinned);
            }

            var publicKeys = infos.Select(i => AuthorityPublicKey.FromBytes(Convert.FromBase64String(i.AbePublicKey))).ToList();
            var ad = AbeHybrid.AssociatedData("obj/mapper-1", "chain", "mapper");
            var ciphertext = AbeHybrid.Encrypt(publicKeys, registration.NodePolicy("mapper"), "secret input"u8, ad);

            // The splitter attests with every authority; its tokens vouch for its signing key.
            using var splitter = new SimHost(bed.Platform, bed.Measurement);
            var userToken = InvocationTokens.Sign(
                InvocationToken.Create("chain", "run1", "user", "splitter#0", [], TimeProvider.System, TimeSpan.FromMinutes(5)), bed.User.Sign);
            var splitterTokens = new List<string>();
            foreach (var c in clients)
            {
                splitterTokens.Add((await c.AttestAsync(splitter.Request(userToken), Ct)).Token);
            }

            // The mapper attests with its parent's invocation token and gets one key part per authority.
            using var mapper = new SimHost(bed.Platform, bed.Measurement);
            var invocation = mapper.Identity.SignInvocation(InvocationToken.Create("chain", "run1", "splitter#0", "mapper#1", [], TimeProvider.System, TimeSpan.FromMinutes(5)));
            var mapperToken = splitter.Invoke("chain", "splitter#0", "mapper#1", splitterTokens, TimeProvider.System);
            var parts = new List<UserKeyPart>();
            try
            {
                foreach (var c in clients)
                {
                    parts.Add(UserKeyPart.Import(mapper.Unwrap(await c.AttestAsync(mapper.Request(mapperToken), Ct))));
                }

                Assert.True(AbeHybrid.TryDecrypt(parts, ciphertext, ad, out var plaintext));
                Assert.Equal("secret input", Encoding.UTF8.GetString(plaintext));
                Assert.Equal(mode == AuthorityMode.AnyOf, AbeHybrid.TryDecrypt(parts.Take(1), ciphertext, ad, out _));
                Assert.False(AbeHybrid.TryDecrypt(parts, ciphertext, AbeHybrid.AssociatedData("obj/other", "chain", "mapper"), out _));
            }
            finally
            {
                parts.ForEach(p => p.Dispose());
            }

            // A token signed by the mapper itself (not the vouched splitter key) is refused by every authority.
            using var forger = new SimHost(bed.Platform, bed.Measurement);
            var e = await Assert.ThrowsAsync<AuthorityException>(() => clients[0].AttestAsync(forger.Request(invocation), Ct));
            Assert.Equal(ProblemCodes.ParentNotVouched, e.Code);
            Assert.Equal(403, e.Status);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
            foreach (var r in running)
            {
                await r.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Client_WrongPinnedCertificate_RefusesConnection()
    {
        await using var authority = await AttestationServiceHost.StartAsync(bed.Options("as1") with { InsecureHttp = false, TimeProvider = TimeProvider.System }, Ct);
        using var pinned = new AuthorityClient(authority.ClientOptions);
        Assert.Equal("as1", (await pinned.GetAuthorityAsync(Ct)).Id);

        using var wrong = new AuthorityClient(authority.ClientOptions with { CertificateSha256 = new string('0', 64), MaxRetries = 0 });
        var e = await Assert.ThrowsAsync<AuthorityException>(() => wrong.GetAuthorityAsync(Ct));
        Assert.Equal("certificate_mismatch", e.Code);

        using var unpinned = new AuthorityClient(authority.ClientOptions with { CertificateSha256 = null, MaxRetries = 0 });
        e = await Assert.ThrowsAsync<AuthorityException>(() => unpinned.GetAuthorityAsync(Ct));
        Assert.Equal("certificate_mismatch", e.Code);
    }

    [Fact]
    public async Task Restart_SelfSignedCertificate_KeepsFingerprint()
    {
        var options = bed.Options("as1") with { InsecureHttp = false, TimeProvider = TimeProvider.System };
        string? first;
        await using (var authority = await AttestationServiceHost.StartAsync(options, Ct))
        {
            first = authority.CertificateSha256;
        }

        await using var again = await AttestationServiceHost.StartAsync(options, Ct);
        Assert.Equal(first, again.CertificateSha256);
    }

    [Fact]
    public async Task Start_GivenPkcs12Certificate_ServesItAndPinsMatch()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=given", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var file = Path.Combine(bed.Temp.Path, "given.pfx");
        await File.WriteAllBytesAsync(file, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12, "pw"), Ct);

        await using var authority = await AttestationServiceHost.StartAsync(
            bed.Options("as1") with { InsecureHttp = false, CertificatePath = file, CertificatePassword = "pw", TimeProvider = TimeProvider.System }, Ct);
        Assert.Equal(AuthorityClient.Fingerprint(certificate), authority.CertificateSha256);
        using var client = new AuthorityClient(authority.ClientOptions);
        Assert.True(await client.IsHealthyAsync(Ct));
        Assert.False(File.Exists(Path.Combine(bed.Options("as1").DataDirectory, "tls.pfx")));

        var wrongPassword = Assert.ThrowsAsync<Tless.AttestationService.Storage.AuthorityStoreException>(() =>
            AttestationServiceHost.StartAsync(bed.Options("as2") with { InsecureHttp = false, CertificatePath = file, CertificatePassword = "nope" }, Ct));
        Assert.Contains("password", (await wrongPassword).Message, StringComparison.OrdinalIgnoreCase);
    }
}
