using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Tless.Runtime.Storage;

namespace Tless.Runtime.Tests.Storage;

public sealed class S3StoreOptionsTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Fact]
    public void Parse_LocalServerUrl_ReadsEveryPart()
    {
        var o = S3StoreOptions.Parse(
            "s3://tless-data/runs/a?endpoint=http://127.0.0.1:4568&region=eu-west-1&path_style=true&access_key=AK&secret_key=SK", NoEnvironment);
        Assert.Equal("tless-data", o.Bucket);
        Assert.Equal("runs/a", o.Prefix);
        Assert.Equal(new Uri("http://127.0.0.1:4568"), o.Endpoint);
        Assert.Equal("eu-west-1", o.Region);
        Assert.True(o.PathStyle);
        Assert.Equal("AK", o.AccessKey);
        Assert.Equal("SK", o.SecretKey);
        Assert.Null(o.SessionToken);
    }

    [Fact]
    public void Parse_NoQuery_UsesAwsDefaultsAndEnvironmentCredentials()
    {
        var env = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "AKIA", ["AWS_SECRET_ACCESS_KEY"] = "secret", ["AWS_SESSION_TOKEN"] = "tok" };
        var o = S3StoreOptions.Parse("s3://bucket-1/", name => env.GetValueOrDefault(name));
        Assert.Equal("bucket-1", o.Bucket);
        Assert.Equal(string.Empty, o.Prefix);
        Assert.Null(o.Endpoint);
        Assert.Equal("us-east-1", o.Region);
        Assert.False(o.PathStyle);
        Assert.Equal("AKIA", o.AccessKey);
        Assert.Equal("secret", o.SecretKey);
        Assert.Equal("tok", o.SessionToken);
    }

    [Fact]
    public void Parse_EndpointWithoutPathStyle_DefaultsToPathStyle()
    {
        var o = S3StoreOptions.Parse("s3://bucket?endpoint=https://s3.local:9000&access_key=a&secret_key=b", NoEnvironment);
        Assert.True(o.PathStyle);
        Assert.False(S3StoreOptions.Parse("s3://bucket?endpoint=https://s3.local&path_style=false&access_key=a&secret_key=b", NoEnvironment).PathStyle);
    }

    [Fact]
    public void DisplayUrl_NeverContainsSecret()
    {
        var o = S3StoreOptions.Parse("s3://bucket/p?endpoint=http://127.0.0.1:1&access_key=AK&secret_key=TOPSECRET", NoEnvironment);
        Assert.DoesNotContain("TOPSECRET", o.DisplayUrl, StringComparison.Ordinal);
        Assert.DoesNotContain("TOPSECRET", o.ToString(), StringComparison.Ordinal);
        Assert.Equal("s3://bucket/p?endpoint=http://127.0.0.1:1&region=us-east-1&path_style=true", o.DisplayUrl);
    }

    [Theory]
    [InlineData("s3://?access_key=a&secret_key=b", "bucket '' is empty")]
    [InlineData("s3://ab?access_key=a&secret_key=b", "3 to 63 characters")]
    [InlineData("s3://Upper?access_key=a&secret_key=b", "character 'U'")]
    [InlineData("s3://bad_bucket?access_key=a&secret_key=b", "character '_'")]
    [InlineData("s3://-bucket?access_key=a&secret_key=b", "start and end with a letter or digit")]
    [InlineData("s3://bucket/a//b?access_key=a&secret_key=b", "prefix 'a//b' is not valid")]
    [InlineData("s3://bucket/../x?access_key=a&secret_key=b", "prefix '../x' is not valid")]
    [InlineData("s3://bucket?endpoint=ftp://h&access_key=a&secret_key=b", "endpoint 'ftp://h' is not an http:// or https:// URL")]
    [InlineData("s3://bucket?endpoint=http://h:1/sub&access_key=a&secret_key=b", "must not have a path")]
    [InlineData("s3://bucket?endpoint=nonsense&access_key=a&secret_key=b", "endpoint 'nonsense'")]
    [InlineData("s3://bucket?region=EU%20West&access_key=a&secret_key=b", "region 'EU West'")]
    [InlineData("s3://bucket?path_style=yes&access_key=a&secret_key=b", "path_style 'yes' is not true or false")]
    [InlineData("s3://bucket?acces_key=a&secret_key=b", "unknown query parameter 'acces_key'")]
    [InlineData("s3://bucket?region=us-east-1&region=eu-west-1&access_key=a&secret_key=b", "'region' is given more than once")]
    [InlineData("s3://bucket?access_key=a", "access_key and secret_key must be given together")]
    [InlineData("s3://bucket?access_key=&secret_key=", "must not be empty")]
    [InlineData("s3://bucket", "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")]
    [InlineData("s3://bucket#frag?access_key=a&secret_key=b", "fragment")]
    [InlineData("http://bucket", "is not an s3:// URL")]
    public void Parse_BadUrl_ThrowsStoreErrorSayingWhat(string url, string expected)
    {
        var e = Assert.Throws<ObjectStoreException>(() => S3StoreOptions.Parse(url, NoEnvironment));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeveralProblems_ReportsAllAtOnceWithoutSecret()
    {
        var e = Assert.Throws<ObjectStoreException>(() =>
            S3StoreOptions.Parse("s3://B?endpoint=x&path_style=maybe&secret_key=HIDDEN&bogus=1", NoEnvironment));
        Assert.Contains("bucket 'B'", e.Message, StringComparison.Ordinal);
        Assert.Contains("endpoint 'x'", e.Message, StringComparison.Ordinal);
        Assert.Contains("path_style 'maybe'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'bogus'", e.Message, StringComparison.Ordinal);
        Assert.Contains("given together", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("HIDDEN", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Factory_S3Url_OpensS3Store()
    {
        using var store = Assert.IsType<S3ObjectStore>(ObjectStoreFactory.Open("s3://tless-x?endpoint=http://127.0.0.1:9&access_key=a&secret_key=b"));
        Assert.Equal("tless-x", store.Bucket);
        Assert.Contains("s3", ObjectStoreFactory.SupportedSchemes);
    }

    [Theory]
    [InlineData("s3://x?endpoint=http://127.0.0.1:9&access_key=a&secret_key=HIDDEN", "bucket 'x'")]
    [InlineData("s3://bad bucket?endpoint=http://[::1&access_key=a&secret_key=HIDDEN", "bucket 'bad bucket'")]
    [InlineData("S3://UPPER?access_key=a&secret_key=HIDDEN", "character 'U'")]
    public void Factory_BadS3Url_ThrowsStoreErrorWithoutSecret(string url, string expected)
    {
        var e = Assert.Throws<ObjectStoreException>(() => ObjectStoreFactory.Open(url));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("HIDDEN", e.Message, StringComparison.Ordinal);
    }

    [Property(MaxTest = 100)]
    public Property Parse_ValidBucketAndPrefix_RoundTripsThroughDisplayUrl()
    {
        var bucket = Gen.Elements("abc", "tless-data", "a.b.c", "x1-2", "0bucket9").ToArbitrary();
        var prefix = Gen.Elements("", "p", "runs/w", "a/b.c/d=e_f").ToArbitrary();
        return Prop.ForAll(bucket, prefix, (b, p) =>
        {
            var url = $"s3://{b}{(p.Length > 0 ? "/" + p : "")}?endpoint=http://127.0.0.1:4568&access_key=k&secret_key=s";
            var parsed = S3StoreOptions.Parse(url, NoEnvironment);
            var again = S3StoreOptions.Parse(parsed.DisplayUrl + "&access_key=k&secret_key=s", NoEnvironment);
            return parsed == again && parsed.Bucket == b && parsed.Prefix == p;
        });
    }
}
