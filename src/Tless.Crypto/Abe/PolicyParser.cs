using System.Collections.Immutable;

namespace Tless.Crypto.Abe;

/// <summary>Policy text could not be parsed.</summary>
public sealed class PolicyParseException : TlessException
{
    /// <summary>Creates the error; the message gets the position appended.</summary>
    public PolicyParseException(string problem, int position)
        : base($"invalid policy at offset {position} (0-based): {problem}")
    {
        Problem = problem;
        Position = position;
    }

    /// <summary>What is wrong or what was expected.</summary>
    public string Problem { get; }

    /// <summary>0-based character offset into the policy text where the problem is.</summary>
    public int Position { get; }
}

/// <summary>
/// Recursive descent over the grammar
/// <c>or := and ('|' and)* ; and := atom ('&amp;' atom)* ; atom := '(' or ')' | literal</c>.
/// A chain of one operator becomes one n-ary node; parenthesised groups stay separate nodes, which is what makes the
/// canonical printer round-trip.
/// </summary>
internal sealed class PolicyParser
{
    /// <summary>Maximum policy text length in characters.</summary>
    public const int MaxLength = 64 * 1024;

    /// <summary>Maximum parenthesis nesting depth.</summary>
    public const int MaxDepth = 64;

    private readonly string _text;
    private int _pos;
    private int _depth;

    private PolicyParser(string text) => _text = text;

    public static Policy Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
        {
            throw new PolicyParseException($"the policy is longer than {MaxLength} characters", MaxLength);
        }

        var parser = new PolicyParser(text);
        parser.SkipSpace();
        if (parser.AtEnd)
        {
            throw new PolicyParseException("expected an attribute 'authority.label:value' or '(' but the policy is empty", parser._pos);
        }

        var result = parser.ParseOr();
        parser.SkipSpace();
        if (!parser.AtEnd)
        {
            var c = parser._text[parser._pos];
            var problem = c == ')'
                ? "unmatched ')'"
                : $"expected '&', '|' or the end of the policy but found {Describe(c)}";
            throw new PolicyParseException(problem, parser._pos);
        }

        return result;
    }

    public static string CheckIdentifier(string value, string paramName, bool allowDash)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (value.Length == 0)
        {
            throw new ArgumentException($"The attribute {paramName.ToLowerInvariant()} is empty.", paramName);
        }

        foreach (var c in value)
        {
            if (!IsIdentChar(c) && !(allowDash && c == '-'))
            {
                throw new ArgumentException(
                    $"The attribute {paramName.ToLowerInvariant()} '{value}' contains {Describe(c)}; allowed are letters, digits, '_'{(allowDash ? " and '-'" : string.Empty)}.",
                    paramName);
            }
        }

        return value;
    }

    private bool AtEnd => _pos >= _text.Length;

    private Policy ParseOr()
    {
        var first = ParseAnd();
        SkipSpace();
        if (AtEnd || _text[_pos] != '|')
        {
            return first;
        }

        var children = ImmutableArray.CreateBuilder<Policy>();
        children.Add(first);
        while (!AtEnd && _text[_pos] == '|')
        {
            _pos++;
            children.Add(ParseAnd());
            SkipSpace();
        }

        return new PolicyOr(children.ToImmutable());
    }

    private Policy ParseAnd()
    {
        var first = ParseAtom();
        SkipSpace();
        if (AtEnd || _text[_pos] != '&')
        {
            return first;
        }

        var children = ImmutableArray.CreateBuilder<Policy>();
        children.Add(first);
        while (!AtEnd && _text[_pos] == '&')
        {
            _pos++;
            children.Add(ParseAtom());
            SkipSpace();
        }

        return new PolicyAnd(children.ToImmutable());
    }

    private Policy ParseAtom()
    {
        SkipSpace();
        if (AtEnd)
        {
            throw new PolicyParseException("expected an attribute 'authority.label:value' or '(' but the policy ended", _pos);
        }

        var c = _text[_pos];
        if (c == '(')
        {
            var open = _pos;
            if (++_depth > MaxDepth)
            {
                throw new PolicyParseException($"parentheses nested deeper than {MaxDepth}", _pos);
            }

            _pos++;
            SkipSpace();
            if (!AtEnd && _text[_pos] == ')')
            {
                throw new PolicyParseException("expected a policy inside '()' but found ')'", _pos);
            }

            var inner = ParseOr();
            SkipSpace();
            if (AtEnd)
            {
                throw new PolicyParseException($"expected ')' to close the '(' at offset {open} but the policy ended", _pos);
            }

            if (_text[_pos] != ')')
            {
                throw new PolicyParseException($"expected ')', '&' or '|' but found {Describe(_text[_pos])}", _pos);
            }

            _pos++;
            _depth--;
            return inner;
        }

        if (c == '!')
        {
            throw new PolicyParseException("negation '!' is not supported: policies are monotone (AND/OR only)", _pos);
        }

        if (!IsIdentChar(c))
        {
            throw new PolicyParseException($"expected an attribute 'authority.label:value' or '(' but found {Describe(c)}", _pos);
        }

        var authority = ReadIdent("authority", allowDash: false);
        Expect('.', "'.' between authority and label");
        var label = ReadIdent("label", allowDash: false);
        Expect(':', "':' between label and value");
        var value = ReadIdent("value", allowDash: true);
        return new PolicyAttribute(authority, label, value);
    }

    private string ReadIdent(string what, bool allowDash)
    {
        var start = _pos;
        while (!AtEnd && (IsIdentChar(_text[_pos]) || (allowDash && _text[_pos] == '-')))
        {
            _pos++;
        }

        if (_pos == start)
        {
            var allowed = allowDash ? "letters, digits, '_' or '-'" : "letters, digits or '_'";
            var found = AtEnd ? "the end of the policy" : Describe(_text[_pos]);
            throw new PolicyParseException($"expected the attribute {what} ({allowed}) but found {found}", _pos);
        }

        return _text[start.._pos];
    }

    private void Expect(char c, string what)
    {
        if (AtEnd)
        {
            throw new PolicyParseException($"expected {what} but the policy ended", _pos);
        }

        if (_text[_pos] != c)
        {
            throw new PolicyParseException($"expected {what} but found {Describe(_text[_pos])}", _pos);
        }

        _pos++;
    }

    private void SkipSpace()
    {
        while (!AtEnd && (_text[_pos] is ' ' or '\t' or '\r' or '\n'))
        {
            _pos++;
        }
    }

    private static bool IsIdentChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static string Describe(char c) => char.IsControl(c) || char.IsWhiteSpace(c) || c > '~'
        ? $"U+{(int)c:X4}"
        : $"'{c}'";
}
