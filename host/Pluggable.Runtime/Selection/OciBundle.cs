using System.Text.Json;

namespace Pluggable.Runtime.Selection;

/// <summary>Reads the annotations of an OCI bundle's <c>config.json</c>, as runc and crun find it.</summary>
public static class OciBundle
{
    /// <summary>The annotations of <paramref name="bundleDirectory"/>/config.json; none when it has no "annotations".</summary>
    public static IReadOnlyDictionary<string, string> ReadAnnotations(string bundleDirectory)
    {
        var file = Path.Combine(Path.GetFullPath(bundleDirectory), "config.json");
        if (!Directory.Exists(bundleDirectory))
        {
            throw new BadInputException($"bundle directory {bundleDirectory} does not exist");
        }

        if (!File.Exists(file))
        {
            throw new BadInputException($"bundle {bundleDirectory} has no config.json");
        }

        try
        {
            using var stream = File.OpenRead(file);
            using var document = JsonDocument.Parse(stream);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new BadInputException($"{file} is not an OCI runtime configuration: its top level is not an object");
            }

            if (!document.RootElement.TryGetProperty("annotations", out var annotations) || annotations.ValueKind == JsonValueKind.Null)
            {
                return new Dictionary<string, string>();
            }

            if (annotations.ValueKind != JsonValueKind.Object)
            {
                throw new BadInputException($"{file}: \"annotations\" must be an object of strings");
            }

            return annotations.EnumerateObject().ToDictionary(
                property => property.Name,
                property => property.Value.ValueKind == JsonValueKind.String
                    ? property.Value.GetString()!
                    : throw new BadInputException($"{file}: annotation \"{property.Name}\" must be a string, not {property.Value.ValueKind.ToString().ToLowerInvariant()}"),
                StringComparer.Ordinal);
        }
        catch (JsonException error)
        {
            throw new BadInputException($"{file} is not valid JSON: {error.Message}");
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"cannot read {file}: {error.Message}");
        }
    }
}
