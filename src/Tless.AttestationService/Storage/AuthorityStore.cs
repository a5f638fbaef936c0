using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Tless.AttestationService.Storage;

/// <summary>A stored registration: the verified envelope as received, and the at-rest-encrypted workflow key if any.</summary>
internal sealed record StoredWorkflow(string Name, long Version, byte[] UserKey, string Envelope, byte[]? WorkflowKeySealed);

/// <summary>
/// The authority's SQLite database (<c>{data}/authority.db</c>): secrets (encrypted by the caller), registrations and
/// redemption counts. One connection behind a lock; every write is one transaction, so a redemption is atomic. An
/// existing file that is not a readable TLess database is reported and never modified.
/// </summary>
internal sealed class AuthorityStore : IDisposable
{
    public const string FileName = "authority.db";
    private const int SchemaVersion = 1;
    private static readonly byte[] SqliteHeader = Encoding.ASCII.GetBytes("SQLite format 3\0");
    private readonly SqliteConnection connection;
    private readonly Lock gate = new();
    private SqliteCommand? redeem;

    private AuthorityStore(SqliteConnection connection, string path)
    {
        this.connection = connection;
        Path = path;
    }

    public string Path { get; }

    /// <summary>True when the database was created by this open (no secrets yet).</summary>
    public bool IsNew { get; private set; }

    public static AuthorityStore Open(string dataDirectory)
    {
        try
        {
            Directory.CreateDirectory(dataDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AuthorityStoreException($"The data directory {dataDirectory} cannot be created: {e.Message}", e);
        }

        var path = System.IO.Path.Combine(dataDirectory, FileName);
        var existed = File.Exists(path) && new FileInfo(path).Length > 0;
        if (existed)
        {
            CheckHeader(path);
        }

        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false };
        var connection = new SqliteConnection(builder.ToString());
        var store = new AuthorityStore(connection, path);
        try
        {
            connection.Open();
            store.Initialize(existed);
            return store;
        }
        catch (SqliteException e)
        {
            store.Dispose();
            throw new AuthorityStoreException($"The database {path} is unreadable or corrupt ({e.Message}); it was left as it is.", e);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    public byte[]? GetMeta(string name)
    {
        lock (gate)
        {
            using var cmd = Command("SELECT value FROM meta WHERE name = $n", ("$n", name));
            return cmd.ExecuteScalar() as byte[];
        }
    }

    /// <summary>Stores a value once; false when it is already there (it is never replaced).</summary>
    public bool AddMeta(string name, byte[] value)
    {
        lock (gate)
        {
            using var cmd = Command("INSERT OR IGNORE INTO meta(name, value) VALUES($n, $v)", ("$n", name), ("$v", value));
            return cmd.ExecuteNonQuery() == 1;
        }
    }

    public List<StoredWorkflow> LoadWorkflows()
    {
        lock (gate)
        {
            using var cmd = Command("SELECT name, version, user_key, envelope, workflow_key FROM workflows");
            using var reader = cmd.ExecuteReader();
            var list = new List<StoredWorkflow>();
            while (reader.Read())
            {
                list.Add(new StoredWorkflow(
                    reader.GetString(0),
                    reader.GetInt64(1),
                    (byte[])reader.GetValue(2),
                    reader.GetString(3),
                    reader.IsDBNull(4) ? null : (byte[])reader.GetValue(4)));
            }

            return list;
        }
    }

    /// <summary>
    /// Inserts or replaces a registration if its version is above the stored one and the user key equals the pinned
    /// one (both re-checked inside the transaction). Returns the outcome.
    /// </summary>
    public SaveOutcome SaveWorkflow(StoredWorkflow workflow, DateTimeOffset now)
    {
        lock (gate)
        {
            using var tx = connection.BeginTransaction();
            using (var read = Command("SELECT version, user_key FROM workflows WHERE name = $n", ("$n", workflow.Name)))
            {
                read.Transaction = tx;
                using var reader = read.ExecuteReader();
                if (reader.Read())
                {
                    var version = reader.GetInt64(0);
                    var key = (byte[])reader.GetValue(1);
                    if (!key.AsSpan().SequenceEqual(workflow.UserKey))
                    {
                        return SaveOutcome.KeyMismatch;
                    }

                    if (workflow.Version <= version)
                    {
                        return SaveOutcome.VersionNotHigher;
                    }
                }
            }

            using var write = Command(
                "INSERT INTO workflows(name, version, user_key, envelope, workflow_key, registered_at) VALUES($n, $v, $k, $e, $w, $t) " +
                "ON CONFLICT(name) DO UPDATE SET version = $v, envelope = $e, workflow_key = $w, registered_at = $t",
                ("$n", workflow.Name),
                ("$v", workflow.Version),
                ("$k", workflow.UserKey),
                ("$e", workflow.Envelope),
                ("$w", (object?)workflow.WorkflowKeySealed ?? DBNull.Value),
                ("$t", now.ToString("O", CultureInfo.InvariantCulture)));
            write.Transaction = tx;
            write.ExecuteNonQuery();
            tx.Commit();
            return SaveOutcome.Saved;
        }
    }

    /// <summary>
    /// Counts one redemption of every token, all or nothing: false (and nothing counted) when any token has already
    /// been redeemed <c>scale</c> times.
    /// </summary>
    public bool TryRedeem(string workflow, IReadOnlyList<string> tokenIds, int scale, DateTimeOffset now)
    {
        var at = now.ToString("O", CultureInfo.InvariantCulture);
        lock (gate)
        {
            // One prepared statement reused under the lock (no SQL parsing per redemption); one transaction per
            // request, so all of its tokens are counted or none.
            redeem ??= Command(
                "INSERT INTO redemptions(workflow, token, count, first_at) VALUES($w, $t, 1, $a) " +
                "ON CONFLICT(workflow, token) DO UPDATE SET count = count + 1 WHERE count < $s RETURNING count",
                ("$w", ""),
                ("$t", ""),
                ("$a", ""),
                ("$s", 0));
            using var tx = connection.BeginTransaction();
            redeem.Transaction = tx;
            redeem.Parameters["$w"].Value = workflow;
            redeem.Parameters["$a"].Value = at;
            redeem.Parameters["$s"].Value = scale;
            foreach (var id in tokenIds)
            {
                redeem.Parameters["$t"].Value = id;
                if (redeem.ExecuteScalar() is null)
                {
                    tx.Rollback();
                    return false;
                }
            }

            tx.Commit();
            return true;
        }
    }

    public long RedemptionCount(string workflow, string tokenId)
    {
        lock (gate)
        {
            using var cmd = Command("SELECT count FROM redemptions WHERE workflow = $w AND token = $t", ("$w", workflow), ("$t", tokenId));
            return cmd.ExecuteScalar() is long n ? n : 0;
        }
    }

    public void Dispose()
    {
        redeem?.Dispose();
        connection.Dispose();
    }

    private static void CheckHeader(string path)
    {
        Span<byte> header = stackalloc byte[16];
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length || !header.SequenceEqual(SqliteHeader))
            {
                throw new AuthorityStoreException($"The database {path} is not a SQLite database (bad header); it was left as it is.");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AuthorityStoreException($"The database {path} cannot be read: {e.Message}", e);
        }
    }

    private void Initialize(bool existed)
    {
        using (var check = Command("PRAGMA quick_check"))
        {
            var result = check.ExecuteScalar() as string;
            if (result != "ok")
            {
                throw new AuthorityStoreException($"The database {Path} failed its integrity check ({result}); it was left as it is.");
            }
        }

        if (existed)
        {
            using var tables = Command("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('meta', 'workflows', 'redemptions')");
            var ours = (long)tables.ExecuteScalar()!;
            using var all = Command("SELECT count(*) FROM sqlite_master WHERE type = 'table'");
            var any = (long)all.ExecuteScalar()!;
            if (any > 0 && ours != 3)
            {
                throw new AuthorityStoreException($"The database {Path} is not a TLess authority database (its tables differ); it was left as it is.");
            }

            if (ours == 3)
            {
                using var schema = Command("SELECT value FROM meta WHERE name = 'schema'");
                var v = schema.ExecuteScalar() as byte[];
                if (v is null || Encoding.ASCII.GetString(v) != SchemaVersion.ToString(CultureInfo.InvariantCulture))
                {
                    throw new AuthorityStoreException($"The database {Path} has an unknown schema version; it was left as it is.");
                }
            }
        }

        Execute("PRAGMA journal_mode = WAL");
        Execute("PRAGMA synchronous = NORMAL");
        Execute("PRAGMA busy_timeout = 5000");
        Execute("CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value BLOB NOT NULL)");
        Execute("CREATE TABLE IF NOT EXISTS workflows(name TEXT PRIMARY KEY, version INTEGER NOT NULL, user_key BLOB NOT NULL, " +
                "envelope TEXT NOT NULL, workflow_key BLOB NULL, registered_at TEXT NOT NULL)");
        Execute("CREATE TABLE IF NOT EXISTS redemptions(workflow TEXT NOT NULL, token TEXT NOT NULL, count INTEGER NOT NULL, " +
                "first_at TEXT NOT NULL, PRIMARY KEY(workflow, token))");
        using (var cmd = Command("INSERT OR IGNORE INTO meta(name, value) VALUES('schema', $v)", ("$v", Encoding.ASCII.GetBytes(SchemaVersion.ToString(CultureInfo.InvariantCulture)))))
        {
            cmd.ExecuteNonQuery();
        }

        using var keys = Command("SELECT count(*) FROM meta WHERE name = 'master_key'");
        IsNew = (long)keys.ExecuteScalar()! == 0;
    }

    private void Execute(string sql)
    {
        using var cmd = Command(sql);
        cmd.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        return cmd;
    }
}

internal enum SaveOutcome
{
    Saved,
    KeyMismatch,
    VersionNotHigher,
}
