using System.Globalization;

namespace Tless.Apps;

/// <summary>Typed access to run parameters (strings) with defaults and range checks.</summary>
public static class AppParameters
{
    public static int GetInt(IReadOnlyDictionary<string, string> parameters, string name, int defaultValue, int min, int max = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!parameters.TryGetValue(name, out var text) || string.IsNullOrWhiteSpace(text))
        {
            return defaultValue;
        }

        if (!int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw new AppParameterException(name, $"'{text}' is not an integer");
        }

        if (value < min || value > max)
        {
            throw new AppParameterException(name, $"{value} is outside {min}..{max}");
        }

        return value;
    }

    public static double GetDouble(IReadOnlyDictionary<string, string> parameters, string name, double defaultValue, double min, double max = double.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!parameters.TryGetValue(name, out var text) || string.IsNullOrWhiteSpace(text))
        {
            return defaultValue;
        }

        if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new AppParameterException(name, $"'{text}' is not a finite number");
        }

        if (value < min || value > max)
        {
            throw new AppParameterException(name, $"{value.ToString(CultureInfo.InvariantCulture)} is outside {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}");
        }

        return value;
    }
}
