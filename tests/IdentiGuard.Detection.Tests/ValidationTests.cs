using IdentiGuard.Detection;
using Xunit;

namespace IdentiGuard.Detection.Tests;

public class ValidationTests
{
    private static RuleValidationException Fails(string yaml)
        => Assert.Throws<RuleValidationException>(() => RulePack.Load([new RuleSource("rules/bad.yml", yaml)], includeBuiltIn: false));

    [Fact]
    public void Yaml_syntax_error_has_line()
    {
        var ex = Fails("title: x\nid: y\nlevel: low\ndetection:\n  sel:\n    a: [1, 2\n  condition: sel\n");
        Assert.Equal("rules/bad.yml", ex.File);
        Assert.True(ex.Line >= 6, ex.Line.ToString());
        Assert.StartsWith("YAML syntax error", ex.Reason);
    }

    [Theory]
    [InlineData("title: x\nid: y\nlevel: low\ndetection:\n  sel:\n    eventType: a\n  condition: sel and other\n", 7, "condition refers to unknown selection 'other'")]
    [InlineData("title: x\nid: y\nlevel: severe\ndetection:\n  sel:\n    eventType: a\n  condition: sel\n", 3, "unknown level 'severe' (informational, low, medium, high, critical)")]
    [InlineData("title: x\nlevel: low\ndetection:\n  sel:\n    eventType: a\n  condition: sel\n", 1, "missing required key 'id'")]
    [InlineData("title: x\nid: y\nlevel: low\ndetection:\n  sel:\n    eventType|base64: a\n  condition: sel\n", 6, "unknown or unsupported modifier 'base64' in 'eventType|base64'")]
    [InlineData("title: x\nid: y\nlevel: low\ndetection:\n  sel:\n    eventType: a\n", 5, "detection has no 'condition'")]
    [InlineData("title: x\nid: y\nlevel: low\ndetection:\n  sel:\n    client.ipAddress|cidr: 10.0.0.0/33\n  condition: sel\n", 6, "invalid CIDR '10.0.0.0/33' in 'client.ipAddress|cidr'")]
    [InlineData("title: x\nid: y\nlevel: low\ndetection:\n  sel:\n    a|gt: many\n  condition: sel\n", 6, "'a|gt' needs a number, got 'many'")]
    [InlineData("title: x\nid: y\nlevel: low\ndetection:\n  sel:\n    a: '%param.nope%'\n  condition: sel\n", 6, "parameter 'nope' is not declared under identiguard.parameters")]
    [InlineData("title: x\nid: y\nlevel: low\ncorrelation:\n  type: event_count\n  rules: [missing]\n  timespan: 5m\n  condition: {gte: 2}\n", 6, "correlation refers to unknown rule 'missing'")]
    [InlineData("title: x\nid: y\nlevel: low\ncorrelation:\n  type: sometimes\n  rules: [a]\n", 5, "unknown correlation type 'sometimes' (event_count, value_count, temporal, temporal_ordered, first_seen, impossible_travel, absence, repeat_until_success)")]
    [InlineData("title: x\nid: y\nlevel: low\ncorrelation:\n  type: event_count\n  rules: [a]\n  timespan: 5 minutes\n  condition: {gte: 2}\n", 7, "invalid timespan '5 minutes' (expected e.g. 30s, 10m, 1h, 7d)")]
    [InlineData("title: x\nid: y\nlevel: low\nidentiguard:\n  enable: false\ndetection:\n  sel:\n    a: b\n  condition: sel\n", 5, "unknown key 'identiguard.enable'")]
    public void Invalid_rule_reports_file_line_reason(string yaml, int line, string reason)
    {
        var ex = Fails(yaml);
        Assert.Equal("rules/bad.yml", ex.File);
        Assert.Equal(reason, ex.Reason);
        Assert.Equal(line, ex.Line);
    }

    [Fact]
    public void Invalid_regex_is_rejected()
    {
        var ex = Fails("title: x\nid: y\nlevel: low\ndetection:\n  sel:\n    a|re: '(unclosed'\n  condition: sel\n");
        Assert.Equal(6, ex.Line);
        Assert.StartsWith("invalid regular expression '(unclosed'", ex.Reason);
    }

    [Fact]
    public void Duplicate_ids_across_documents()
    {
        var ex = Fails("title: x\nid: y\nlevel: low\ndetection:\n  sel:\n    a: b\n  condition: sel\n---\ntitle: x2\nid: y\nlevel: low\ndetection:\n  sel:\n    a: b\n  condition: sel\n");
        Assert.Equal(9, ex.Line);
        Assert.StartsWith("duplicate rule id 'y'", ex.Reason);
    }

    [Fact]
    public void User_rule_with_a_built_in_id_replaces_it()
    {
        var builtIn = RulePack.BuiltIn();
        if (builtIn.Rules.Count == 0) return;
        var target = builtIn.Rules.First(r => r.Kind == "detection" && r.Name is null);
        var pack = RulePack.Load([new RuleSource("override.yml", $"title: Overridden\nid: {target.Id}\nlevel: low\ndetection:\n  sel:\n    eventType: x.y\n  condition: sel\n")]);
        Assert.Equal(builtIn.Rules.Count, pack.Rules.Count);
        Assert.Equal("Overridden", pack.Rules.Single(r => r.Id == target.Id).Title);
        // the built-in files themselves can be passed as user rules
        var copy = RulePack.Load(RulePack.BuiltInSources());
        Assert.Equal(builtIn.Rules.Count, copy.Rules.Count);
    }

    [Fact]
    public void Validate_returns_errors_without_throwing()
    {
        var r = RulePack.Validate(new RuleSource("a.yml", "title: x\nid: y\nlevel: nope\n"));
        Assert.False(r.IsValid);
        Assert.Equal(3, r.Errors[0].Line);
        var ok = RulePack.Validate(new RuleSource("a.yml", "title: x\nid: y-custom\nlevel: low\ntags: [attack.credential_access, attack.t1110.003]\ndetection:\n  sel:\n    a: b\n  condition: sel\n"));
        Assert.True(ok.IsValid, string.Join(";", ok.Errors));
        Assert.Equal(["credential_access"], ok.Rules[0].Tactics);
        Assert.Equal(["T1110.003"], ok.Rules[0].Techniques);
    }
}
