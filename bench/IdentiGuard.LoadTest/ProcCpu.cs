using System.Globalization;

namespace IdentiGuard.LoadTest;

/// <summary>
/// CPU time from Linux's /proc, for processes the tool did not start: a process with its children (PostgreSQL's
/// postmaster forks a backend per connection; the time of a backend that exited is in the parent's cutime/cstime, so
/// a backend that ends during the window still counts) and the whole machine's busy share (/proc/stat).
/// </summary>
internal static class ProcCpu
{
    /// <summary>USER_HZ: the unit of /proc's CPU times, 100 on every Linux architecture .NET runs on.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>CPU seconds of the processes and all their live descendants, plus the reaped children they accounted.</summary>
    public static double TreeSeconds(IReadOnlyList<int> roots)
    {
        var stats = AllStats();
        var included = new HashSet<int>(roots.Where(stats.ContainsKey));
        for (var grown = true; grown;)
        {
            grown = false;
            foreach (var (pid, stat) in stats)
                if (!included.Contains(pid) && included.Contains(stat.Parent)) grown = included.Add(pid) | grown;
        }
        return included.Sum(pid => stats[pid].Ticks) / TicksPerSecond;
    }

    /// <summary>(busy, total) jiffies of all cores since boot, from the first line of /proc/stat.</summary>
    public static (double Busy, double Total) Machine()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal (guest times are already in user/nice).
        var total = fields.Take(8).Sum();
        return (total - fields[3] - fields[4], total);
    }

    private static Dictionary<int, (int Parent, long Ticks)> AllStats()
    {
        var stats = new Dictionary<int, (int, long)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string text;
            try
            {
                text = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue; // exited meanwhile
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            // After "(comm)" (which may hold spaces): state ppid … utime(14) stime(15) cutime(16) cstime(17), 1-based.
            var rest = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            long Field(int oneBased) => long.Parse(rest[oneBased - 3], CultureInfo.InvariantCulture);
            stats[pid] = ((int)Field(4), Field(14) + Field(15) + Field(16) + Field(17));
        }
        return stats;
    }
}
