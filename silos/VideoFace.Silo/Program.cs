using VideoFace.Hosting;

// A VideoFace silo. Settings come from appsettings.json, VideoFace__* environment variables or
// --VideoFace:Key=value arguments; see README "Cluster". Embedded profile by default.
var app = VideoFaceHost.Build(args);
await app.RunAsync();
