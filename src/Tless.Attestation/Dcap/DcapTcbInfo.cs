using System.Globalization;
using System.Text.Json;

namespace Tless.Attestation.Dcap;

/// <summary>One TCB level of a TCB info or identity: the level's SVNs and its status from Intel.</summary>
internal sealed record TcbLevel(int[] SgxComponents, int PceSvn, int[]? TdxComponents, int IsvSvn, string TcbDate, string Status, string[] Advisories);

/// <summary>A TDX module identity of TCB info v3 (<c>tdxModuleIdentities</c> entry, or <c>tdxModule</c> with no levels).</summary>
internal sealed record TdxModuleIdentity(string Id, byte[] MrSigner, byte[] Attributes, byte[] AttributesMask, TcbLevel[] Levels);

/// <summary>Intel TCB info v3 ("tcbInfo" object of the PCS response), id SGX or TDX.</summary>
internal sealed record DcapTcbInfo(
    string Id,
    int Version,
    DateTimeOffset IssueDate,
    DateTimeOffset NextUpdate,
    byte[] Fmspc,
    byte[] PceId,
    int TcbType,
    int TcbEvaluationDataNumber,
    TcbLevel[] Levels,
    TdxModuleIdentity? TdxModule,
    TdxModuleIdentity[] TdxModuleIdentities)
{
    public static DcapTcbInfo Parse(ReadOnlySpan<byte> json)
    {
        return DcapJson.Run("TCB info", json, root =>
        {
            var id = DcapJson.Str(root, "id");
            var version = DcapJson.Int(root, "version");
            if (version != 3)
            {
                throw new TlessFormatException($"TCB info: version {version} is not supported (3 is)");
            }

            var tdx = id == "TDX";
            TdxModuleIdentity? module = null;
            if (root.TryGetProperty("tdxModule", out var m))
            {
                module = new TdxModuleIdentity("tdxModule", DcapJson.Hex(m, "mrsigner", 48), DcapJson.Hex(m, "attributes", 8), DcapJson.Hex(m, "attributesMask", 8), []);
            }

            var identities = new List<TdxModuleIdentity>();
            if (root.TryGetProperty("tdxModuleIdentities", out var ids))
            {
                foreach (var e in DcapJson.Array(ids, "tdxModuleIdentities"))
                {
                    identities.Add(new TdxModuleIdentity(
                        DcapJson.Str(e, "id"), DcapJson.Hex(e, "mrsigner", 48), DcapJson.Hex(e, "attributes", 8), DcapJson.Hex(e, "attributesMask", 8),
                        [.. DcapJson.Array(DcapJson.Prop(e, "tcbLevels"), "tcbLevels").Select(DcapJson.IsvSvnLevel)]));
                }
            }

            var levels = DcapJson.Array(DcapJson.Prop(root, "tcbLevels"), "tcbLevels").Select(l => PlatformLevel(l, tdx)).ToArray();
            return new DcapTcbInfo(
                id, version, DcapJson.Time(root, "issueDate"), DcapJson.Time(root, "nextUpdate"),
                DcapJson.Hex(root, "fmspc", 6), DcapJson.Hex(root, "pceId", 2), DcapJson.Int(root, "tcbType"),
                DcapJson.Int(root, "tcbEvaluationDataNumber"), levels, module, [.. identities]);
        });
    }

    private static TcbLevel PlatformLevel(JsonElement level, bool tdx)
    {
        var tcb = DcapJson.Prop(level, "tcb");
        var sgx = Components(tcb, "sgxtcbcomponents");
        var tdxComps = tdx ? Components(tcb, "tdxtcbcomponents") : null;
        return new TcbLevel(sgx, DcapJson.Int(tcb, "pcesvn"), tdxComps, 0, DcapJson.Str(level, "tcbDate"), DcapJson.Str(level, "tcbStatus"), DcapJson.Advisories(level));
    }

    private static int[] Components(JsonElement tcb, string name)
    {
        var comps = DcapJson.Array(DcapJson.Prop(tcb, name), name).Select(c => DcapJson.Int(c, "svn")).ToArray();
        if (comps.Length != 16)
        {
            throw new TlessFormatException($"TCB info: '{name}' has {comps.Length} entries, not 16");
        }

        return comps;
    }
}

/// <summary>Intel enclave identity v2 ("enclaveIdentity" object), id QE (SGX) or TD_QE (TDX).</summary>
internal sealed record DcapQeIdentity(
    string Id,
    int Version,
    DateTimeOffset IssueDate,
    DateTimeOffset NextUpdate,
    uint MiscSelect,
    uint MiscSelectMask,
    byte[] Attributes,
    byte[] AttributesMask,
    byte[] MrSigner,
    int IsvProdId,
    TcbLevel[] Levels)
{
    public static DcapQeIdentity Parse(ReadOnlySpan<byte> json)
    {
        return DcapJson.Run("QE identity", json, root =>
        {
            var version = DcapJson.Int(root, "version");
            if (version != 2)
            {
                throw new TlessFormatException($"QE identity: version {version} is not supported (2 is)");
            }

            return new DcapQeIdentity(
                DcapJson.Str(root, "id"), version, DcapJson.Time(root, "issueDate"), DcapJson.Time(root, "nextUpdate"),
                Convert.ToUInt32(Convert.ToHexString(DcapJson.Hex(root, "miscselect", 4)), 16),
                Convert.ToUInt32(Convert.ToHexString(DcapJson.Hex(root, "miscselectMask", 4)), 16),
                DcapJson.Hex(root, "attributes", 16), DcapJson.Hex(root, "attributesMask", 16), DcapJson.Hex(root, "mrsigner", 32),
                DcapJson.Int(root, "isvprodid"),
                [.. DcapJson.Array(DcapJson.Prop(root, "tcbLevels"), "tcbLevels").Select(DcapJson.IsvSvnLevel)]);
        });
    }
}

/// <summary>Strict accessors over Intel's collateral JSON: a missing or mistyped field names itself in the error.</summary>
internal static class DcapJson
{
    public static T Run<T>(string what, ReadOnlySpan<byte> json, Func<JsonElement, T> read)
    {
        try
        {
            using var doc = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new TlessFormatException($"{what}: the JSON is not an object");
            }

            return read(doc.RootElement);
        }
        catch (JsonException e)
        {
            throw new TlessFormatException($"{what}: invalid JSON: {e.Message}", e);
        }
        catch (TlessFormatException e)
        {
            throw e.Message.StartsWith(what, StringComparison.Ordinal) ? e : new TlessFormatException($"{what}: {e.Message}", e);
        }
    }

    public static JsonElement Prop(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v : throw new TlessFormatException($"field '{name}' is missing");

    public static string Str(JsonElement e, string name)
    {
        var v = Prop(e, name);
        return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new TlessFormatException($"field '{name}' is not a string");
    }

    public static int Int(JsonElement e, string name)
    {
        var v = Prop(e, name);
        return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) && i >= 0
            ? i
            : throw new TlessFormatException($"field '{name}' is not a non-negative integer");
    }

    public static byte[] Hex(JsonElement e, string name, int length)
    {
        var s = Str(e, name);
        if (s.Length != length * 2)
        {
            throw new TlessFormatException($"field '{name}' is {s.Length} hex digits, not {length * 2}");
        }

        try
        {
            return Convert.FromHexString(s);
        }
        catch (FormatException)
        {
            throw new TlessFormatException($"field '{name}' is not hex");
        }
    }

    public static DateTimeOffset Time(JsonElement e, string name) =>
        DateTimeOffset.TryParse(Str(e, name), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : throw new TlessFormatException($"field '{name}' is not an ISO 8601 time");

    public static IEnumerable<JsonElement> Array(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Array ? e.EnumerateArray() : throw new TlessFormatException($"field '{name}' is not an array");

    public static string[] Advisories(JsonElement level) =>
        level.TryGetProperty("advisoryIDs", out var a)
            ? [.. Array(a, "advisoryIDs").Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : throw new TlessFormatException("field 'advisoryIDs' holds a non-string"))]
            : [];

    public static TcbLevel IsvSvnLevel(JsonElement level) =>
        new([], 0, null, Int(Prop(level, "tcb"), "isvsvn"), Str(level, "tcbDate"), Str(level, "tcbStatus"), Advisories(level));
}
