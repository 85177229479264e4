using Pluggable.Runtime.Policy;

namespace Pluggable.Runtime.Selection;

/// <summary>Annotations from one place: --mode, --annotation, or a bundle's config.json.</summary>
/// <param name="Name">How the user gave them, for messages: "--mode", "--bundle /b".</param>
/// <param name="Annotations">The annotations it gives.</param>
public sealed record AnnotationSource(string Name, IReadOnlyDictionary<string, string> Annotations);

/// <summary>The clone-self-exe value (null when absent) and every annotation, recorded in state.json.</summary>
public sealed record AnnotationSelection(string? Value, IReadOnlyDictionary<string, string> Annotations)
{
    /// <summary>
    /// Combines <paramref name="sources"/>. Two sources that give different clone-self-exe values are bad
    /// input: guessing which one the operator meant could silently weaken the protection.
    /// </summary>
    public static AnnotationSelection Combine(IEnumerable<AnnotationSource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        AnnotationSource? chooser = null;
        foreach (var source in sources)
        {
            if (source.Annotations.TryGetValue(ChainPolicy.Annotation, out var value) && chooser is not null
                && chooser.Annotations[ChainPolicy.Annotation] != value)
            {
                throw new BadInputException(
                    $"{ChainPolicy.Annotation} is \"{chooser.Annotations[ChainPolicy.Annotation]}\" from {chooser.Name} but \"{value}\" from {source.Name}; give one value");
            }

            chooser ??= source.Annotations.ContainsKey(ChainPolicy.Annotation) ? source : null;
            foreach (var (key, annotation) in source.Annotations)
            {
                annotations[key] = annotation;
            }
        }

        return new AnnotationSelection(chooser?.Annotations[ChainPolicy.Annotation], annotations);
    }

    /// <summary>Parses repeated <c>--annotation KEY=VALUE</c> arguments.</summary>
    public static AnnotationSource FromArguments(IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var argument in arguments)
        {
            var separator = argument.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                throw new BadInputException($"--annotation \"{argument}\" is not KEY=VALUE");
            }

            var key = argument[..separator];
            var value = argument[(separator + 1)..];
            if (annotations.TryGetValue(key, out var earlier) && earlier != value)
            {
                throw new BadInputException($"--annotation {key} is given twice, as \"{earlier}\" and \"{value}\"");
            }

            annotations[key] = value;
        }

        return new AnnotationSource("--annotation", annotations);
    }
}
