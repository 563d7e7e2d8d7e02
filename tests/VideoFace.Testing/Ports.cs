using VideoFace.Testing;

namespace VideoFace.Cluster.Tests.Support;

/// <summary>Free loopback TCP ports, distinct within one call.</summary>
public static class Ports
{
    public static int[] Free(int count)
    {
        var ports = new HashSet<int>();
        while (ports.Count < count) ports.Add(RtspServer.FreeTcpPort());
        return [.. ports];
    }
}
