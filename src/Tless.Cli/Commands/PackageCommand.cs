using System.CommandLine;
using Spectre.Console;
using Tless.Runtime.Packaging;

namespace Tless.Cli.Commands;

/// <summary><c>tless package build|inspect</c>: function packages (deterministic zips) and their digests.</summary>
internal static class PackageCommand
{
    public static Command Create()
    {
        var package = new Command("package", "Build and inspect function packages.");

        var assembly = new Argument<FileInfo>("ASSEMBLY") { Description = "The function assembly (its dependencies are taken from its directory)." };
        var name = new Option<string?>("--name") { Description = "The package name (default: the assembly name in lower case with dots as dashes)." };
        var output = new Option<string?>("--out") { Description = "Where to write the package (default: NAME.zip in the current directory)." };
        var build = new Command("build", "Package a function assembly with its private dependencies; prints the digest to register.");
        build.Arguments.Add(assembly);
        build.Options.Add(name);
        build.Options.Add(output);
        build.SetAction((parseResult, _) => RuntimeCli.GuardAsync(parseResult, (console, _) =>
        {
            var file = parseResult.GetValue(assembly)!;
            var packageName = parseResult.GetValue(name) ?? Path.GetFileNameWithoutExtension(file.Name).Replace('.', '-').ToLowerInvariant();
            var built = PackageBuilder.FromAssembly(file.FullName, packageName);
            var path = Path.GetFullPath(parseResult.GetValue(output) ?? packageName + ".zip");
            File.WriteAllBytes(path, built.Bytes);
            console.MarkupLine($"package [bold]{Markup.Escape(packageName)}[/]: {built.Files.Count} files, {built.Bytes.Length} bytes");
            console.WriteLine($"digest (sha256): {built.Digest}");
            console.WriteLine($"written to {path}");
            return Task.FromResult(0);
        }));

        var file = new Argument<FileInfo>("FILE") { Description = "A package file." };
        var inspect = new Command("inspect", "Show a package's manifest, digest and files.");
        inspect.Arguments.Add(file);
        inspect.SetAction((parseResult, _) => RuntimeCli.GuardAsync(parseResult, (console, _) =>
        {
            var path = parseResult.GetValue(file)!.FullName;
            var read = FunctionPackage.Read(File.ReadAllBytes(path), path);
            console.WriteLine($"package {read.Manifest.Name}, entry assembly {read.Manifest.Assembly}");
            console.WriteLine($"digest (sha256): {read.Digest}");
            foreach (var (entry, bytes) in read.Files.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                console.WriteLine($"  {entry} ({bytes.Length} bytes)");
            }

            return Task.FromResult(0);
        }));

        package.Subcommands.Add(build);
        package.Subcommands.Add(inspect);
        return package;
    }
}
