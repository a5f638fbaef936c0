using System.Security.Cryptography;
using Tless.Attestation.Sim;
using Tless.Crypto.Abe;
using Tless.Workflows;

namespace Tless.Runtime.Owner;

/// <summary>
/// The owner's directory (default <c>~/.tless</c>, or <c>TLESS_HOME</c>, or <c>--home</c>): the signing key that
/// signs registrations and entry tokens, the owner's CP-ABE authority key (results are readable only with it), the
/// simulated TEE platform key used by local workers, and per workflow the last registration, the workflow key
/// (mode tee) and the upload manifest. Secret files are created with mode 0600 and never overwritten unless forced.
/// </summary>
public sealed class OwnerHome
{
    public const string SigningKeyFile = "owner-signing.pem";
    public const string AbeKeyFile = "owner-abe.key";
    public const string SimPlatformFile = "sim-platform.pem";
    public const string SimPlatformPublicFile = "sim-platform.pub.pem";

    public OwnerHome(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = System.IO.Path.GetFullPath(directory);
    }

    public string Directory { get; }

    /// <summary><paramref name="explicitHome"/>, else <c>TLESS_HOME</c>, else <c>~/.tless</c>.</summary>
    public static OwnerHome Resolve(string? explicitHome)
    {
        if (!string.IsNullOrWhiteSpace(explicitHome))
        {
            return new OwnerHome(explicitHome);
        }

        var env = Environment.GetEnvironmentVariable("TLESS_HOME");
        return new OwnerHome(!string.IsNullOrWhiteSpace(env)
            ? env
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".tless"));
    }

    /// <summary>True when the keys exist.</summary>
    public bool IsInitialized => File.Exists(Path(SigningKeyFile)) && File.Exists(Path(AbeKeyFile));

    /// <summary>
    /// Creates the keys (owner authority id <paramref name="user"/>). Throws <see cref="OwnerHomeException"/> when a key
    /// exists and <paramref name="force"/> is false. Returns the files written.
    /// </summary>
    public IReadOnlyList<string> Initialize(string user, bool force)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        if (!WorkflowIds.IsName(user) || user.Contains('-', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{user}' is not a valid authority id ([A-Za-z0-9_]+)", nameof(user));
        }

        var targets = new[] { SigningKeyFile, AbeKeyFile, SimPlatformFile, SimPlatformPublicFile };
        var existing = targets.Where(f => File.Exists(Path(f))).ToList();
        if (existing.Count > 0 && !force)
        {
            throw new OwnerHomeException($"keys already exist in {Directory} ({string.Join(", ", existing)}); use --force to replace them (registered workflows will then refuse the new key)");
        }

        System.IO.Directory.CreateDirectory(Directory);
        using var signing = UserSigningKey.Generate();
        using var abe = AuthorityMasterKey.Generate(user);
        using var platform = SimulatedTee.Create();
        WriteSecret(SigningKeyFile, System.Text.Encoding.ASCII.GetBytes(signing.ExportPkcs8Pem()));
        WriteSecret(AbeKeyFile, abe.ExportSecret());
        WriteSecret(SimPlatformFile, System.Text.Encoding.ASCII.GetBytes(platform.ExportPrivateKeyPem()));
        File.WriteAllText(Path(SimPlatformPublicFile), platform.ExportPublicKeyPem());
        return [.. targets.Select(Path)];
    }

    public UserSigningKey LoadSigningKey() => UserSigningKey.ImportPkcs8Pem(ReadText(SigningKeyFile));

    /// <summary>The signing key as an <see cref="ECDsa"/> (for invocation tokens).</summary>
    public ECDsa LoadSigningEcdsa()
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(ReadText(SigningKeyFile));
            return key;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new OwnerHomeException($"{Path(SigningKeyFile)} is not a PKCS#8 EC key: {e.Message}", e);
        }
    }

    public AuthorityMasterKey LoadAbeKey()
    {
        try
        {
            return AuthorityMasterKey.ImportSecret(ReadBytes(AbeKeyFile));
        }
        catch (TlessFormatException e)
        {
            throw new OwnerHomeException($"{Path(AbeKeyFile)} is not an owner authority key: {e.Message}", e);
        }
    }

    public SimulatedTee LoadSimPlatform(TimeProvider? time = null) => SimulatedTee.ImportPrivateKeyPem(ReadText(SimPlatformFile), time);

    /// <summary>The folder of a workflow's owner state.</summary>
    public string WorkflowDirectory(string workflow) => System.IO.Path.Combine(Directory, "workflows", workflow);

    public string RegistrationPath(string workflow) => System.IO.Path.Combine(WorkflowDirectory(workflow), "registration.json");

    public string ManifestPath(string workflow) => System.IO.Path.Combine(WorkflowDirectory(workflow), "upload.json");

    public string WorkflowKeyPath(string workflow) => System.IO.Path.Combine(WorkflowDirectory(workflow), "workflow.key");

    /// <summary>The workflow key of mode tee, created on first use.</summary>
    public byte[] GetOrCreateWorkflowKey(string workflow)
    {
        var path = WorkflowKeyPath(workflow);
        if (File.Exists(path))
        {
            var key = File.ReadAllBytes(path);
            return key.Length == 32 ? key : throw new OwnerHomeException($"{path} must hold 32 bytes, it has {key.Length}");
        }

        var fresh = RandomNumberGenerator.GetBytes(32);
        System.IO.Directory.CreateDirectory(WorkflowDirectory(workflow));
        WriteSecretAt(path, fresh);
        return fresh;
    }

    public byte[] ReadWorkflowKey(string workflow)
    {
        var path = WorkflowKeyPath(workflow);
        return File.Exists(path) ? File.ReadAllBytes(path) : throw new OwnerHomeException($"no workflow key for '{workflow}' in {path}: run `tless workflow register` first");
    }

    public void SaveRegistration(SignedRegistration signed)
    {
        ArgumentNullException.ThrowIfNull(signed);
        System.IO.Directory.CreateDirectory(WorkflowDirectory(signed.Registration.Workflow));
        File.WriteAllBytes(RegistrationPath(signed.Registration.Workflow), signed.ToJsonBytes());
    }

    public SignedRegistration LoadRegistration(string workflow)
    {
        var path = RegistrationPath(workflow);
        if (!File.Exists(path))
        {
            throw new OwnerHomeException($"workflow '{workflow}' is not registered from {Directory}: run `tless workflow register` first");
        }

        return SignedRegistration.Parse(File.ReadAllBytes(path));
    }

    public void SaveManifest(UploadManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        System.IO.Directory.CreateDirectory(WorkflowDirectory(manifest.Workflow));
        File.WriteAllBytes(ManifestPath(manifest.Workflow), manifest.ToJson());
    }

    public UploadManifest? TryLoadManifest(string workflow)
    {
        var path = ManifestPath(workflow);
        return File.Exists(path) ? UploadManifest.FromJson(File.ReadAllBytes(path), path) : null;
    }

    private string Path(string file) => System.IO.Path.Combine(Directory, file);

    private string ReadText(string file) => System.Text.Encoding.ASCII.GetString(ReadBytes(file));

    private byte[] ReadBytes(string file)
    {
        var path = Path(file);
        if (!File.Exists(path))
        {
            throw new OwnerHomeException($"{path} not found: run `tless keys init{(Directory == Resolve(null).Directory ? "" : " --home " + Directory)}` first");
        }

        return File.ReadAllBytes(path);
    }

    private void WriteSecret(string file, byte[] content) => WriteSecretAt(Path(file), content);

    private static void WriteSecretAt(string path, byte[] content)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}

/// <summary>The owner's directory is missing something or holds something unusable.</summary>
public sealed class OwnerHomeException : TlessException
{
    public OwnerHomeException(string message)
        : base(message)
    {
    }

    public OwnerHomeException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
