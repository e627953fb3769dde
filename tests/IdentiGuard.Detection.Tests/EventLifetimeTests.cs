using System.Text;
using IdentiGuard.Detection;
using Xunit;

namespace IdentiGuard.Detection.Tests;

/// <summary>Disposed events hand their parsed nodes to the next event on the thread; nothing of the old event may leak
/// into the new one, and a disposed event refuses to be read.</summary>
public class EventLifetimeTests
{
    private static OktaEvent Parse(string actor, string country, string targets, string behaviors) => OktaEvent.Parse(Encoding.UTF8.GetBytes(
        "{\"uuid\":\"" + Guid.NewGuid() + "\",\"published\":\"2026-11-29T10:00:00Z\",\"eventType\":\"user.session.start\"," +
        "\"actor\":{\"alternateId\":\"" + actor + "\"},\"client\":{\"geographicalContext\":{\"country\":\"" + country + "\"}}," +
        "\"target\":[" + targets + "],\"debugContext\":{\"debugData\":{\"behaviors\":\"" + behaviors + "\"}}}"));

    [Fact]
    public void RecycledNodes_ReadTheNewEventsValues()
    {
        using (var first = Parse("alice@example.com", "France", """{"type":"User","alternateId":"a"},{"type":"AppInstance","alternateId":"b"}""", "{New IP=POSITIVE}"))
        {
            Assert.Equal("alice@example.com", first.GetString("actor.alternateId"));
            Assert.Equal("France", first.GetString("client.geographicalContext.country"));
            Assert.Equal(["a", "b"], first.GetValues("target.alternateId"));
            Assert.Equal("POSITIVE", first.GetString("debugContext.debugData.behaviors.New IP"));
        }

        using var second = Parse("bob@example.com", "Japan", """{"type":"User","alternateId":"c"}""", "{New Device=NEGATIVE}");
        Assert.Equal("bob@example.com", second.GetString("ACTOR.alternateid"));
        Assert.Equal("Japan", second.GetString("client.geographicalContext.country"));
        Assert.Equal(["c"], second.GetValues("target.alternateId"));
        Assert.Null(second.GetString("debugContext.debugData.behaviors.New IP"));
        Assert.Equal("NEGATIVE", second.GetString("debugContext.debugData.behaviors.New Device"));
    }

    [Fact]
    public void RecycledNodes_DoNotKeepAbsentOrEmptyResults()
    {
        using (var first = Parse("alice@example.com", "France", "", "none")) Assert.Empty(first.GetValues("target.alternateId"));
        using var second = Parse("bob@example.com", "Japan", """{"alternateId":"x"},{"alternateId":"y"},{"alternateId":"z"}""", "none");
        Assert.Equal(["x", "y", "z"], second.GetValues("target.alternateId"));
    }

    [Fact]
    public void DisposedEvent_RefusesToBeRead()
    {
        var ev = Parse("alice@example.com", "France", "", "none");
        ev.Dispose();
        Assert.Throws<ObjectDisposedException>(() => ev.GetString("actor.alternateId"));
    }
}
