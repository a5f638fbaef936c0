using System.CommandLine;
using Tless.AttestationService;
using Tless.Runtime.Authority;

namespace Tless.Cli.Commands;

/// <summary><c>tless as ...</c>: run and query attestation services (attribute authorities).</summary>
internal static class AsCommand
{
    public static Command Create()
    {
        var group = new Command("as", "Attestation services: run one, or ask one who it is.");
        group.Subcommands.Add(ServeCommand.Create());
        group.Subcommands.Add(CreateInfo());
        return group;
    }

    private static Command CreateInfo()
    {
        var url = new Option<string>("--url") { Description = "The service's base URL, e.g. https://127.0.0.1:8701.", Required = true };
        var pin = new Option<string?>("--pin") { Description = "SHA-256 fingerprint of its TLS certificate (printed by `tless as serve`)." };
        var info = new Command("info", "Print an attestation service's id, keys and accepted TEE kinds (GET /v1/authority).");
        info.Options.Add(url);
        info.Options.Add(pin);
        info.SetAction(async (parseResult, cancellationToken) =>
        {
            if (!Uri.TryCreate(parseResult.GetValue(url), UriKind.Absolute, out var baseAddress) || (baseAddress.Scheme != Uri.UriSchemeHttps && baseAddress.Scheme != Uri.UriSchemeHttp))
            {
                await Console.Error.WriteLineAsync($"error: --url '{parseResult.GetValue(url)}' is not an absolute http(s) URL.").ConfigureAwait(false);
                return 2;
            }

            try
            {
                using var client = new AuthorityClient(new AuthorityClientOptions
                {
                    BaseAddress = baseAddress,
                    CertificateSha256 = parseResult.GetValue(pin),
                    MaxRetries = 1,
                });
                var authority = await client.GetAuthorityAsync(cancellationToken).ConfigureAwait(false);
                Console.WriteLine($"id:             {authority.Id}");
                Console.WriteLine($"protocol:       {authority.Protocol}");
                Console.WriteLine($"tee kinds:      {string.Join(", ", authority.TeeKinds)}");
                Console.WriteLine($"token lifetime: {authority.TokenLifetimeSeconds} s");
                Console.WriteLine($"token key:      {authority.TokenKey}");
                Console.WriteLine($"abe public key: {authority.AbePublicKey}");
                return 0;
            }
            catch (AuthorityException e)
            {
                await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return 1;
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return 2;
            }
        });
        return info;
    }
}
