using System.Globalization;
using System.Text;

namespace Tless.Apps;

/// <summary>
/// A small CSV reader (RFC 4180 subset: comma separator, optional double-quoted fields with "" escapes, no line
/// breaks inside fields). The first non-blank line is the header; columns are looked up by name, case-insensitively.
/// Every error names the input and the line.
/// </summary>
internal sealed class CsvTable
{
    private readonly Dictionary<string, int> _columns;

    private CsvTable(string input, Dictionary<string, int> columns, List<CsvRow> rows)
    {
        Input = input;
        _columns = columns;
        Rows = rows;
    }

    public string Input { get; }

    public IReadOnlyList<CsvRow> Rows { get; }

    public static CsvTable Parse(ReadOnlySpan<byte> data, string input)
    {
        var text = AppText.DecodeUtf8(data, input);
        var lines = text.Split('\n');
        Dictionary<string, int>? columns = null;
        var rows = new List<CsvRow>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Trim().Length == 0)
            {
                continue;
            }

            var fields = SplitFields(line, input, i + 1);
            if (columns is null)
            {
                columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
                for (var c = 0; c < fields.Count; c++)
                {
                    if (!columns.TryAdd(fields[c].Trim(), c))
                    {
                        throw new AppDataException(input, i + 1, $"duplicate column '{fields[c].Trim()}' in the header");
                    }
                }

                continue;
            }

            if (fields.Count != columns.Count)
            {
                throw new AppDataException(input, i + 1, $"expected {columns.Count} fields, found {fields.Count}");
            }

            rows.Add(new CsvRow(input, i + 1, fields));
        }

        if (columns is null)
        {
            throw new AppDataException(input, 0, "empty CSV: no header line");
        }

        return new CsvTable(input, columns, rows);
    }

    /// <summary>The index of the first of <paramref name="names"/> present in the header.</summary>
    public int Column(params string[] names)
    {
        foreach (var name in names)
        {
            if (_columns.TryGetValue(name, out var index))
            {
                return index;
            }
        }

        throw new AppDataException(Input, 1, $"missing column '{string.Join("' or '", names)}' in the header");
    }

    private static List<string> SplitFields(string line, string input, int lineNumber)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        while (true)
        {
            field.Clear();
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        throw new AppDataException(input, lineNumber, "unterminated quoted field");
                    }

                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    field.Append(line[i++]);
                }

                if (i < line.Length && line[i] != ',')
                {
                    throw new AppDataException(input, lineNumber, $"unexpected character after a quoted field at column {i + 1}");
                }
            }
            else
            {
                while (i < line.Length && line[i] != ',')
                {
                    field.Append(line[i++]);
                }
            }

            fields.Add(field.ToString());
            if (i >= line.Length)
            {
                return fields;
            }

            i++; // the comma
        }
    }
}

/// <summary>One data row of a <see cref="CsvTable"/> with typed accessors that name the input, line and column.</summary>
internal sealed class CsvRow
{
    private readonly IReadOnlyList<string> _fields;

    internal CsvRow(string input, int line, IReadOnlyList<string> fields)
    {
        Input = input;
        Line = line;
        _fields = fields;
    }

    public string Input { get; }

    public int Line { get; }

    public string Text(int column, string name)
    {
        var value = _fields[column].Trim();
        return value.Length > 0 ? value : throw Error($"empty {name}");
    }

    public double Number(int column, string name)
    {
        var text = _fields[column].Trim();
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw Error($"{name} '{text}' is not a number");
        }

        return value;
    }

    public DateOnly Date(int column, string name)
    {
        var text = _fields[column].Trim();
        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var value)
            ? value
            : throw Error($"{name} '{text}' is not a date (yyyy-MM-dd)");
    }

    public AppDataException Error(string problem) => new(Input, Line, problem);
}
