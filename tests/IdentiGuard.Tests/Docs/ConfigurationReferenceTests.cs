using System.Reflection;
using IdentiGuard.Server.Configuration;

namespace IdentiGuard.Tests.Docs;

/// <summary>docs/configuration.md names every setting the host binds under <c>IdentiGuard</c>.</summary>
public sealed class ConfigurationReferenceTests
{
    [Fact]
    public void EveryBoundSetting_IsInTheConfigurationReference()
    {
        var reference = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "configuration.md"));
        var settings = Settings().ToList();
        Assert.Contains("IdentiGuard:Polling:MinInterval", settings);
        Assert.Contains("IdentiGuard:Support:Smtp:Host", settings);

        var missing = settings.Where(key => !reference.Contains($"`{key}`", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "docs/configuration.md does not document: " + string.Join(", ", missing));
    }

    /// <summary>
    /// The options classes of the host: every type with a <c>Section</c> constant under <c>IdentiGuard</c> (the
    /// convention of <see cref="ConfigurationExtensions.AddValidatedOptions{T}"/>), and their settable properties;
    /// nested option objects (such as <c>Smtp</c>) contribute their own properties.
    /// </summary>
    public static IEnumerable<string> Settings()
    {
        var types = typeof(IdentiGuardOptions).Assembly.GetTypes()
            .Where(t => t.IsClass && t.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } f
                && f.GetRawConstantValue() is string s && (s == "IdentiGuard" || s.StartsWith("IdentiGuard:", StringComparison.Ordinal)));
        foreach (var type in types)
        {
            var section = (string)type.GetField("Section")!.GetRawConstantValue()!;
            foreach (var key in Properties(type, section)) yield return key;
        }
    }

    private static IEnumerable<string> Properties(Type type, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true }))
        {
            var key = $"{prefix}:{property.Name}";
            var valueType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (valueType.IsClass && valueType != typeof(string) && !valueType.IsArray && !valueType.IsGenericType)
                foreach (var nested in Properties(valueType, key)) yield return nested;
            else
                yield return key;
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "IdentiGuard.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Run the tests from a clone of the repository (IdentiGuard.slnx not found above " + AppContext.BaseDirectory + ").");
    }
}
