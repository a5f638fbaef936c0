using System.Text;

namespace Tless.Runtime.Storage;

/// <summary>
/// Where and how an <see cref="S3ObjectStore"/> connects, usually parsed from a store URL:
/// <c>s3://bucket[/prefix]?endpoint=http://127.0.0.1:4568&amp;region=us-east-1&amp;path_style=true</c>.
/// Credentials come from <c>access_key</c>/<c>secret_key</c> query parameters (meant for local test servers) or else
/// from the <c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c> (and optional <c>AWS_SESSION_TOKEN</c>) environment
/// variables.
/// </summary>
public sealed record S3StoreOptions
{
    /// <summary>The query parameters a store URL may carry.</summary>
    public static IReadOnlyList<string> QueryParameters { get; } = ["endpoint", "region", "path_style", "access_key", "secret_key"];

    /// <summary>The bucket (S3 naming rules: 3-63 characters of a-z, 0-9, '.', '-'); created when missing.</summary>
    public required string Bucket { get; init; }

    /// <summary>A key prefix inside the bucket, without leading or trailing '/'; empty for the bucket root.</summary>
    public string Prefix { get; init; } = string.Empty;

    /// <summary>The S3 API endpoint (http or https, no path); null for AWS S3 in <see cref="Region"/>.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>The signing region (AWS region name).</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>Path-style addressing (<c>endpoint/bucket/key</c>) instead of virtual-host style; local servers need it.</summary>
    public bool PathStyle { get; init; }

    /// <summary>The access key id.</summary>
    public required string AccessKey { get; init; }

    /// <summary>The secret access key (never shown in <see cref="ToString"/> or in <see cref="DisplayUrl"/>).</summary>
    public required string SecretKey { get; init; }

    /// <summary>An optional session token for temporary credentials.</summary>
    public string? SessionToken { get; init; }

    /// <summary>How often a failed request (throttling, 5xx, connection failure) is retried with backoff.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>The store URL without credentials, for messages and run records.</summary>
    public string DisplayUrl
    {
        get
        {
            var url = new StringBuilder("s3://").Append(Bucket);
            if (Prefix.Length > 0)
            {
                url.Append('/').Append(Prefix);
            }

            var query = new List<string>();
            if (Endpoint is not null)
            {
                query.Add("endpoint=" + Endpoint.GetLeftPart(UriPartial.Authority));
            }

            query.Add("region=" + Region);
            if (PathStyle)
            {
                query.Add("path_style=true");
            }

            return url.Append('?').Append(string.Join('&', query)).ToString();
        }
    }

    /// <summary>Shows the configuration without the secret.</summary>
    public override string ToString() => DisplayUrl;

    /// <summary>
    /// Parses an <c>s3://</c> store URL. Every problem is reported at once in one <see cref="ObjectStoreException"/>.
    /// </summary>
    /// <param name="url">The store URL.</param>
    /// <param name="environment">Reads an environment variable; <see cref="Environment.GetEnvironmentVariable(string)"/> when null.</param>
    public static S3StoreOptions Parse(string url, Func<string, string?>? environment = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        environment ??= Environment.GetEnvironmentVariable;
        var shown = Redact(url);
        const string scheme = "s3://";
        if (!url.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new ObjectStoreException($"store URL '{shown}' is not an s3:// URL");
        }

        var problems = new List<string>();
        var rest = url[scheme.Length..];
        var queryStart = rest.IndexOf('?', StringComparison.Ordinal);
        var location = queryStart < 0 ? rest : rest[..queryStart];
        var query = queryStart < 0 ? string.Empty : rest[(queryStart + 1)..];
        if (location.Contains('#', StringComparison.Ordinal))
        {
            problems.Add("a fragment ('#') is not allowed");
        }

        var slash = location.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? location : location[..slash];
        var prefix = slash < 0 ? string.Empty : location[(slash + 1)..].TrimEnd('/');
        if (BucketProblem(bucket) is { } bucketProblem)
        {
            problems.Add($"bucket '{bucket}' {bucketProblem}");
        }

        if (prefix.Length > 0)
        {
            try
            {
                ObjectKey.Validate(prefix, "url");
            }
            catch (ArgumentException e)
            {
                problems.Add($"prefix '{prefix}' is not valid ({FirstLine(e.Message)})");
            }
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            if (!QueryParameters.Contains(name))
            {
                problems.Add($"unknown query parameter '{name}' (known: {string.Join(", ", QueryParameters)})");
            }
            else if (!parameters.TryAdd(name, value))
            {
                problems.Add($"query parameter '{name}' is given more than once");
            }
        }

        Uri? endpoint = null;
        if (parameters.TryGetValue("endpoint", out var endpointText))
        {
            if (!Uri.TryCreate(endpointText, UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https"))
            {
                problems.Add($"endpoint '{endpointText}' is not an http:// or https:// URL");
                endpoint = null;
            }
            else if (endpoint.AbsolutePath != "/" || endpoint.Query.Length > 0)
            {
                problems.Add($"endpoint '{endpointText}' must not have a path or query (give scheme, host and port only)");
                endpoint = null;
            }
        }

        var region = parameters.GetValueOrDefault("region", "us-east-1");
        if (region.Length == 0 || !region.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            problems.Add($"region '{region}' is not a region name (like us-east-1)");
        }

        var pathStyle = endpoint is not null;
        if (parameters.TryGetValue("path_style", out var pathStyleText))
        {
            if (!bool.TryParse(pathStyleText, out pathStyle))
            {
                problems.Add($"path_style '{pathStyleText}' is not true or false");
            }
        }

        var accessKey = parameters.GetValueOrDefault("access_key");
        var secretKey = parameters.GetValueOrDefault("secret_key");
        string? sessionToken = null;
        if (accessKey is null != secretKey is null)
        {
            problems.Add("access_key and secret_key must be given together");
        }
        else if (accessKey is null)
        {
            accessKey = environment("AWS_ACCESS_KEY_ID");
            secretKey = environment("AWS_SECRET_ACCESS_KEY");
            sessionToken = environment("AWS_SESSION_TOKEN");
            if (string.IsNullOrEmpty(accessKey) || string.IsNullOrEmpty(secretKey))
            {
                problems.Add("no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or, for a local server, the access_key and secret_key query parameters)");
            }
        }
        else if (accessKey.Length == 0 || secretKey!.Length == 0)
        {
            problems.Add("access_key and secret_key must not be empty");
        }

        if (problems.Count > 0)
        {
            throw new ObjectStoreException($"store URL '{shown}' is not valid: {string.Join("; ", problems)}");
        }

        return new S3StoreOptions
        {
            Bucket = bucket,
            Prefix = prefix,
            Endpoint = endpoint,
            Region = region,
            PathStyle = pathStyle,
            AccessKey = accessKey!,
            SecretKey = secretKey!,
            SessionToken = string.IsNullOrEmpty(sessionToken) ? null : sessionToken,
        };
    }

    /// <summary>Why <paramref name="bucket"/> is not a valid S3 bucket name, or null when it is.</summary>
    internal static string? BucketProblem(string bucket)
    {
        if (bucket.Length == 0)
        {
            return "is empty (expected s3://bucket[/prefix])";
        }

        if (bucket.Length is < 3 or > 63)
        {
            return $"must be 3 to 63 characters long, not {bucket.Length}";
        }

        foreach (var c in bucket)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-'))
            {
                return $"has character '{c}' (only a-z, 0-9, '.' and '-' are allowed)";
            }
        }

        if (!char.IsAsciiLetterOrDigit(bucket[0]) || !char.IsAsciiLetterOrDigit(bucket[^1]))
        {
            return "must start and end with a letter or digit";
        }

        if (bucket.Contains("..", StringComparison.Ordinal))
        {
            return "must not contain '..'";
        }

        return null;
    }

    /// <summary>The URL with any <c>secret_key</c> value replaced, so that it can go into a message.</summary>
    internal static string Redact(string url)
    {
        var q = url.IndexOf('?', StringComparison.Ordinal);
        if (q < 0)
        {
            return url;
        }

        var parts = url[(q + 1)..].Split('&');
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i].StartsWith("secret_key=", StringComparison.Ordinal))
            {
                parts[i] = "secret_key=***";
            }
        }

        return url[..(q + 1)] + string.Join('&', parts);
    }

    private static string FirstLine(string message)
    {
        // ArgumentException appends " (Parameter 'x')"; keep the explanation only.
        var cut = message.IndexOf(" (Parameter", StringComparison.Ordinal);
        return cut < 0 ? message : message[..cut];
    }
}
