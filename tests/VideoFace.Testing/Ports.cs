namespace VideoFace.Testing;

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
