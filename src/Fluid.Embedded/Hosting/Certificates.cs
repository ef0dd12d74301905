using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Fluid.Embedded.Hosting;

/// <summary>
/// fluidd's TLS material: a self-signed CA kept in the data directory (its certificate goes into
/// the kubeconfig) and a server certificate for localhost, 127.0.0.1, ::1 and the listen address,
/// issued by that CA on every start so a changed address is always covered.
/// </summary>
public static class Certificates
{
    /// <summary>The CA certificate (PEM) and a server certificate with its private key for Kestrel.</summary>
    public static (string CaPem, X509Certificate2 Server) Ensure(string directory, IPAddress address)
    {
        var caCertPath = Path.Combine(directory, "ca.crt");
        var caKeyPath = Path.Combine(directory, "ca.key");
        X509Certificate2 ca;
        if (File.Exists(caCertPath) && File.Exists(caKeyPath))
        {
            ca = X509Certificate2.CreateFromPemFile(caCertPath, caKeyPath);
        }
        else
        {
            using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=fluidd-ca", caKey, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(10));
            Secrets.Write(caKeyPath, caKey.ExportPkcs8PrivateKeyPem());
            Secrets.Write(caCertPath, ca.ExportCertificatePem());
        }

        using (ca)
        {
            using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=fluidd", serverKey, HashAlgorithmName.SHA256);
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            names.AddIpAddress(IPAddress.IPv6Loopback);
            if (!address.Equals(IPAddress.Loopback) && !address.Equals(IPAddress.IPv6Loopback) && !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any))
            {
                names.AddIpAddress(address);
            }

            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
            var serial = RandomNumberGenerator.GetBytes(16);
            serial[0] &= 0x7f;
            var notAfter = DateTimeOffset.UtcNow.AddYears(1);
            using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), notAfter < ca.NotAfter ? notAfter : ca.NotAfter, serial);
            using var withKey = issued.CopyWithPrivateKey(serverKey);

            // A PKCS#12 round trip gives SslStream a certificate whose key it can always use.
            var server = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
            return (ca.ExportCertificatePem(), server);
        }
    }
}

/// <summary>Writes files only the owner may read (keys, tokens, kubeconfigs), atomically.</summary>
public static class Secrets
{
    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> with mode 0600.</summary>
    public static void Write(string path, string content)
    {
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
