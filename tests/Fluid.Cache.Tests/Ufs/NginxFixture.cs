using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fluid.Cache.Tests.Ufs;

/// <summary>
/// A real nginx on 127.0.0.1 serving one directory under several locations: JSON and HTML autoindex,
/// no listing at all, ranges switched off, HEAD refused, Basic auth, a required header.
/// One process (master_process off), started in the foreground and killed by its PID.
/// </summary>
public sealed class NginxFixture : IDisposable
{
    public const string User = "reader";
    public const string Password = "pa55-w0rd-for-nginx";

    private readonly TestDirectory _directory = new();
    private readonly Process _nginx;
    private readonly StringBuilder _stderr = new();

    public NginxFixture()
    {
        Www = Path.Join(_directory.Path, "www");
        Directory.CreateDirectory(Www);
        Directory.CreateDirectory(Path.Join(_directory.Path, "tmp"));
        File.WriteAllText(Path.Join(_directory.Path, "htpasswd"), $"{User}:{Run("openssl", "passwd", "-apr1", Password).Trim()}\n");

        for (var attempt = 1; ; attempt++)
        {
            Port = TestPorts.Free();
            OtherPort = TestPorts.Free();
            File.WriteAllText(Path.Join(_directory.Path, "nginx.conf"), Config(_directory.Path, Www, Port, OtherPort));
            _nginx = Start();
            if (WaitUntilListening(_nginx, Port) && WaitUntilListening(_nginx, OtherPort))
            {
                return;
            }

            // Another process may have taken the port between our probe and nginx's bind: try another.
            var log = ReadLog();
            Stop(_nginx);
            if (attempt == 3 || !log.Contains("Address already in use", StringComparison.Ordinal))
            {
                _directory.Dispose();
                throw new InvalidOperationException($"nginx did not start (install the Debian package nginx-light): {log}");
            }
        }
    }

    /// <summary>The directory nginx serves; each test works in its own subdirectory.</summary>
    public string Www { get; }

    public int Port { get; }

    /// <summary>A second origin (another port) with the same protected location.</summary>
    public int OtherPort { get; }

    /// <summary>
    /// The mount point of one location: json, html, plain, norange, nohead, private, header, moved (redirects to
    /// private on this origin) or away (redirects to private on <see cref="OtherPort"/>).
    /// </summary>
    public string Url(string location, string directory = "") =>
        $"http://127.0.0.1:{Port}/{location}/" + (directory.Length == 0 ? "" : directory + "/");

    /// <summary>A fresh subdirectory of <see cref="Www"/>.</summary>
    public TestDirectory NewDirectory() => new(Www);

    public void Dispose()
    {
        Stop(_nginx);
        _directory.Dispose();
    }

    private static string Config(string dir, string www, int port, int otherPort) => $$"""
        daemon off;
        master_process off;
        worker_processes 1;
        error_log {{dir}}/error.log;
        pid {{dir}}/nginx.pid;
        events { worker_connections 256; }
        http {
          access_log {{dir}}/access.log;
          client_body_temp_path {{dir}}/tmp/body;
          proxy_temp_path {{dir}}/tmp/proxy;
          fastcgi_temp_path {{dir}}/tmp/fastcgi;
          uwsgi_temp_path {{dir}}/tmp/uwsgi;
          scgi_temp_path {{dir}}/tmp/scgi;
          default_type application/octet-stream;
          server {
            listen 127.0.0.1:{{port}};
            location /json/ { alias {{www}}/; autoindex on; autoindex_format json; }
            location /html/ { alias {{www}}/; autoindex on; }
            location /plain/ { alias {{www}}/; }
            location /norange/ { alias {{www}}/; max_ranges 0; }
            location /nohead/ { alias {{www}}/; if ($request_method = HEAD) { return 405; } }
            location /private/ {
              alias {{www}}/; autoindex on; autoindex_format json;
              auth_basic "fluid"; auth_basic_user_file {{dir}}/htpasswd;
            }
            location /header/ { alias {{www}}/; if ($http_x_fluid_test != "yes") { return 403; } }
            location /moved/ { rewrite ^/moved/(.*)$ /private/$1 permanent; }
            location /away/ { rewrite ^/away/(.*)$ http://127.0.0.1:{{otherPort}}/private/$1 redirect; }
          }
          server {
            listen 127.0.0.1:{{otherPort}};
            location /private/ { alias {{www}}/; auth_basic "fluid"; auth_basic_user_file {{dir}}/htpasswd; }
          }
        }

        """;

    private Process Start()
    {
        var start = new ProcessStartInfo(File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-p", _directory.Path, "-c", Path.Join(_directory.Path, "nginx.conf") })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("nginx did not start");
        process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return process;
    }

    private static bool WaitUntilListening(Process process, int port)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10) && !process.HasExited)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                Thread.Sleep(25);
            }
        }

        return false;
    }

    private string ReadLog()
    {
        var error = Path.Join(_directory.Path, "error.log");
        lock (_stderr)
        {
            return _stderr + (File.Exists(error) ? File.ReadAllText(error) : "");
        }
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }

        process.Dispose();
    }


    private static string Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{file} failed: {error}");
    }
}
