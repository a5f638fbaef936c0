using System.CommandLine;
using Spectre.Console;
using Tless.Runtime.Owner;

namespace Tless.Cli.Commands;

/// <summary><c>tless keys init|show</c>: the owner's signing key, CP-ABE authority key and simulated TEE platform key.</summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var keys = new Command("keys", "Create and show the workflow owner's keys.");
        var home = new Option<string?>("--home") { Description = "The owner's directory; default TLESS_HOME or ~/.tless." };
        var user = new Option<string>("--user") { Description = "The owner's authority id (the workflows' authorities.user).", DefaultValueFactory = _ => "user" };
        var force = new Option<bool>("--force") { Description = "Replace existing keys (workflows registered with the old key will refuse the new one)." };

        var init = new Command("init", "Create the owner's keys (never overwrites without --force).");
        init.Options.Add(home);
        init.Options.Add(user);
        init.Options.Add(force);
        init.SetAction((parseResult, _) => RuntimeCli.GuardAsync(parseResult, (console, _) =>
        {
            var h = OwnerHome.Resolve(parseResult.GetValue(home));
            var written = h.Initialize(parseResult.GetValue(user)!, parseResult.GetValue(force));
            console.MarkupLine($"created the owner's keys in [bold]{Markup.Escape(h.Directory)}[/]:");
            foreach (var file in written)
            {
                console.WriteLine("  " + file);
            }

            using var signing = h.LoadSigningKey();
            console.WriteLine($"signing key SHA-256: {signing.Thumbprint}");
            console.WriteLine($"simulated TEE platform public key: {Path.Combine(h.Directory, OwnerHome.SimPlatformPublicFile)} (give it to `tless as serve --allow-simulated --sim-trust`)");
            return Task.FromResult(0);
        }));

        var show = new Command("show", "Show the owner's public key information.");
        show.Options.Add(home);
        show.SetAction((parseResult, _) => RuntimeCli.GuardAsync(parseResult, (console, _) =>
        {
            var h = OwnerHome.Resolve(parseResult.GetValue(home));
            using var signing = h.LoadSigningKey();
            using var abe = h.LoadAbeKey();
            console.WriteLine($"home: {h.Directory}");
            console.WriteLine($"signing key SHA-256: {signing.Thumbprint}");
            console.WriteLine($"owner authority: {abe.AuthorityId}");
            console.WriteLine($"simulated TEE platform public key: {Path.Combine(h.Directory, OwnerHome.SimPlatformPublicFile)}");
            return Task.FromResult(0);
        }));

        keys.Subcommands.Add(init);
        keys.Subcommands.Add(show);
        return keys;
    }
}
