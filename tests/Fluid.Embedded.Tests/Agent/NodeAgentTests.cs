using System.Text;
using System.Text.Json.Nodes;
using Fluid.Embedded.Agent;
using Fluid.Kube.Http;
using static Fluid.Embedded.Tests.Agent.AgentFixture;

namespace Fluid.Embedded.Tests.Agent;

[Collection(AgentFixture.Collection)]
public sealed class NodeAgentTests(AgentFixture agent) : IClassFixture<AgentFixture>
{
    private const string Valid = """
        apiVersion: data.fluid.io/v1alpha1
        kind: Dataset
        metadata:
          name: demo
        spec:
          mounts:
            - mountPoint: local:///data
              name: data
        """;

    [Fact]
    public async Task Registers_the_node_with_capacity_ready_condition_and_a_lease()
    {
        var node = await agent.Client.Resource("v1", "Node").GetAsync(Node);
        Assert.Equal(Node, node["metadata"]!["labels"]!["kubernetes.io/hostname"]!.GetValue<string>());
        Assert.Equal(Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture), node["status"]!["capacity"]!["cpu"]!.GetValue<string>());
        Assert.EndsWith("Ki", node["status"]!["allocatable"]!["memory"]!.GetValue<string>(), StringComparison.Ordinal);
        var ready = node["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "Ready");
        Assert.Equal("True", ready!["status"]!.GetValue<string>());
        var lease = await agent.Client.Resource("coordination.k8s.io/v1", "Lease").GetAsync(Node, "kube-node-lease");
        var first = lease["spec"]!["renewTime"]!.GetValue<string>();
        await agent.Wait("the lease to be renewed", async () =>
        {
            var renewed = await agent.Client.Resource("coordination.k8s.io/v1", "Lease").GetAsync(Node, "kube-node-lease");
            return renewed["spec"]!["renewTime"]!.GetValue<string>() != first ? renewed : null;
        }, 10);
    }

    [Fact]
    public async Task StatefulSet_masters_turn_ready_by_healthz_and_scaling_down_stops_the_highest_ordinal()
    {
        var port = TestPorts.FreePair(); // ordinals 0 and 1 append their index
        await CreateSecretAsync("masters-token", "token", "s3cret-token-value");
        var set = new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "StatefulSet",
            ["metadata"] = new JsonObject { ["name"] = "masters" },
            ["spec"] = new JsonObject
            {
                ["replicas"] = 2,
                ["serviceName"] = "masters",
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "masters" } },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = "masters" } },
                    ["spec"] = new JsonObject
                    {
                        ["terminationGracePeriodSeconds"] = 5,
                        ["containers"] = new JsonArray(new JsonObject
                        {
                            ["name"] = "master",
                            ["image"] = "registry.example/fluid:v1",
                            ["env"] = new JsonArray(
                                new JsonObject { ["name"] = "PORT", ["value"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                                new JsonObject { ["name"] = "POD_IP", ["valueFrom"] = new JsonObject { ["fieldRef"] = new JsonObject { ["fieldPath"] = "status.podIP" } } }),
                            ["args"] = new JsonArray("cache", "master", "--data-dir", "/var/lib/fluid-agent-test/master", "--listen", "http://$(POD_IP):$(PORT)", "--token-file", "/run/fluid-agent-test/token/token"),
                            ["volumeMounts"] = new JsonArray(
                                new JsonObject { ["name"] = "data", ["mountPath"] = "/var/lib/fluid-agent-test/master" },
                                new JsonObject { ["name"] = "token", ["mountPath"] = "/run/fluid-agent-test/token", ["readOnly"] = true }),
                            // Each pod has its own loopback address, so both listen on the same port; probes go to the pod's address.
                            ["readinessProbe"] = new JsonObject { ["httpGet"] = new JsonObject { ["path"] = "/healthz", ["port"] = port }, ["periodSeconds"] = 1 },
                        }),
                        ["volumes"] = new JsonArray(
                            new JsonObject { ["name"] = "data", ["emptyDir"] = new JsonObject() },
                            new JsonObject { ["name"] = "token", ["secret"] = new JsonObject { ["secretName"] = "masters-token" } }),
                    },
                },
                ["podManagementPolicy"] = "Parallel",
            },
        };
        var sets = agent.Client.Resource("apps/v1", "StatefulSet");
        await sets.CreateAsync(set, "default");
        try
        {
            await agent.Wait("both masters ready", async () =>
            {
                var current = await sets.GetAsync("masters", "default");
                return current["status"]?["readyReplicas"]?.GetValue<int>() == 2 && current["status"]?["replicas"]?.GetValue<int>() == 2 ? current : null;
            }, 30);
            var pods = await agent.PodsAsync("app=masters");
            Assert.Equal(["masters-0", "masters-1"], pods.Select(p => p["metadata"]!["name"]!.GetValue<string>()).Order());
            Assert.All(pods, p => Assert.Equal(Node, p["spec"]!["nodeName"]!.GetValue<string>()));
            Assert.All(pods, p => Assert.Equal("StatefulSet", p["metadata"]!["ownerReferences"]![0]!["kind"]!.GetValue<string>()));
            var zero = pods.Single(p => p["metadata"]!["name"]!.GetValue<string>() == "masters-0");
            Assert.Equal("Running", zero["status"]!["phase"]!.GetValue<string>());

            // Each master really serves on its own pod address and the same port, with the token projected from the Secret.
            using (var http = new HttpClient())
            {
                foreach (var pod in pods)
                {
                    var ip = pod["status"]!["podIP"]!.GetValue<string>();
                    Assert.Equal(PodAddress.Of("default", pod["metadata"]!["name"]!.GetValue<string>()), ip);
                    Assert.True((await http.GetAsync(new Uri($"http://{ip}:{port}/healthz"))).IsSuccessStatusCode);
                }

                Assert.NotEqual(pods[0]["status"]!["podIP"]!.GetValue<string>(), pods[1]["status"]!["podIP"]!.GetValue<string>());
            }

            var secretFile = Directory.GetFiles(agent.AgentDirectory, "token", SearchOption.AllDirectories).First();
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, OperatingSystem.IsWindows() ? default : File.GetUnixFileMode(secretFile));

            var one = pods.Single(p => p["metadata"]!["name"]!.GetValue<string>() == "masters-1");
            one = await agent.Wait("masters-1 to report its pid", async () => Pid(await agent.Client.Resource("v1", "Pod").GetAsync("masters-1", "default")) is not null ? await agent.Client.Resource("v1", "Pod").GetAsync("masters-1", "default") : null);
            var pid = Pid(one)!.Value;
            Assert.True(Alive(pid));

            await sets.MergePatchAsync("masters", JsonNode.Parse("""{"spec":{"replicas":1}}""")!, "default");
            await agent.Wait("masters-1 to be removed and its process to end", async () =>
                (await agent.PodsAsync("app=masters")).Count == 1 && !Alive(pid) ? "gone" : null, 20);
            Assert.Equal("masters-0", (await agent.PodsAsync("app=masters")).Single()["metadata"]!["name"]!.GetValue<string>());
            await agent.Wait("status.replicas 1", async () => (await sets.GetAsync("masters", "default"))["status"]?["replicas"]?.GetValue<int>() == 1 ? "1" : null);
        }
        finally
        {
            await sets.DeleteAsync("masters", "default");
            await agent.Wait("masters pods gone", async () => (await agent.PodsAsync("app=masters")).Count == 0 ? "gone" : null);
        }
    }

    [Fact]
    public async Task DaemonSet_starts_only_once_the_node_carries_its_selector_label_and_stops_when_it_is_removed()
    {
        var sets = agent.Client.Resource("apps/v1", "DaemonSet");
        var nodes = agent.Client.Resource("v1", "Node");
        await sets.CreateAsync(new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "DaemonSet",
            ["metadata"] = new JsonObject { ["name"] = "fuse" },
            ["spec"] = new JsonObject
            {
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "fuse" } },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = "fuse" } },
                    ["spec"] = new JsonObject
                    {
                        ["nodeSelector"] = new JsonObject { ["fluid.io/agent-test-fuse"] = "true" },
                        ["affinity"] = JsonNode.Parse("""{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"kubernetes.io/hostname","operator":"In","values":["agent-test-node"]}]}]}}}"""),
                        ["terminationGracePeriodSeconds"] = 5,
                        ["containers"] = new JsonArray(new JsonObject
                        {
                            ["name"] = "fuse",
                            ["image"] = "fluid",
                            ["args"] = new JsonArray("cache", "master", "--data-dir", "/tmp/fluid-agent-test-ds-$(POD)", "--listen", $"http://127.0.0.1:{TestPorts.Free()}"),
                            ["env"] = new JsonArray(new JsonObject { ["name"] = "POD", ["valueFrom"] = new JsonObject { ["fieldRef"] = new JsonObject { ["fieldPath"] = "metadata.name" } } }),
                        }),
                    },
                },
            },
        }, "default");
        try
        {
            var first = await agent.Wait("the DaemonSet's first status", async () =>
                await sets.GetAsync("fuse", "default") is var current && current["status"]?["observedGeneration"] is not null ? current : null);
            Assert.Equal(0, first["status"]!["desiredNumberScheduled"]!.GetValue<int>());
            Assert.Empty(await agent.PodsAsync("app=fuse"));

            await nodes.MergePatchAsync(Node, JsonNode.Parse("""{"metadata":{"labels":{"fluid.io/agent-test-fuse":"true"}}}""")!);
            var set = await agent.Wait("the DaemonSet's pod to be ready", async () =>
            {
                var current = await sets.GetAsync("fuse", "default");
                return current["status"]?["numberReady"]?.GetValue<int>() == 1 ? current : null;
            }, 30);
            Assert.Equal(1, set["status"]!["desiredNumberScheduled"]!.GetValue<int>());
            var pod = (await agent.PodsAsync("app=fuse")).Single();
            pod = await agent.Wait("the pid", async () => (await agent.PodsAsync("app=fuse")).SingleOrDefault(p => Pid(p) is not null));
            var pid = Pid(pod)!.Value;
            Assert.Equal(WorkloadControllers.Revision(set), pod["metadata"]!["labels"]![WorkloadControllers.RevisionLabel]!.GetValue<string>());

            // A changed template replaces the pod (RollingUpdate), the old one gone before the new one starts.
            var oldName = pod["metadata"]!["name"]!.GetValue<string>();
            await sets.MergePatchAsync("fuse", JsonNode.Parse("""{"spec":{"template":{"metadata":{"labels":{"app":"fuse","version":"2"}}}}}""")!, "default");
            var maxPods = 0;
            pod = await agent.Wait("the pod of the new template", async () =>
            {
                var pods = await agent.PodsAsync("app=fuse");
                maxPods = Math.Max(maxPods, pods.Count(p => p["metadata"]?["deletionTimestamp"] is null && Pid(p) is not null));
                return pods.SingleOrDefault(p => p["metadata"]!["labels"]?["version"]?.GetValue<string>() == "2" && Pid(p) is not null);
            }, 30);
            Assert.NotEqual(oldName, pod["metadata"]!["name"]!.GetValue<string>());
            Assert.False(Alive(pid));
            Assert.Equal(1, maxPods);
            pid = Pid(pod)!.Value;

            await nodes.MergePatchAsync(Node, JsonNode.Parse("""{"metadata":{"labels":{"fluid.io/agent-test-fuse":null}}}""")!);
            await agent.Wait("the pod and its process to go", async () => (await agent.PodsAsync("app=fuse")).Count == 0 && !Alive(pid) ? "gone" : null, 20);
        }
        finally
        {
            await sets.DeleteAsync("fuse", "default");
            await nodes.MergePatchAsync(Node, JsonNode.Parse("""{"metadata":{"labels":{"fluid.io/agent-test-fuse":null}}}""")!);
        }
    }

    [Theory]
    [InlineData("good", true)]
    [InlineData("bad", false)]
    public async Task Job_validating_a_mounted_configmap_completes_or_fails_after_its_backoff_limit(string name, bool valid)
    {
        var job = $"validate-{name}";
        await agent.Client.Resource("v1", "ConfigMap").CreateAsync(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = job },
            ["data"] = new JsonObject { ["dataset.yaml"] = valid ? Valid : Valid.Replace("local:///data", "nope://", StringComparison.Ordinal) },
        }, "default");
        var jobs = agent.Client.Resource("batch/v1", "Job");
        await jobs.CreateAsync(new JsonObject
        {
            ["apiVersion"] = "batch/v1",
            ["kind"] = "Job",
            ["metadata"] = new JsonObject { ["name"] = job },
            ["spec"] = new JsonObject
            {
                ["backoffLimit"] = 1,
                ["template"] = new JsonObject
                {
                    ["spec"] = new JsonObject
                    {
                        ["restartPolicy"] = "Never",
                        ["containers"] = new JsonArray(new JsonObject
                        {
                            ["name"] = "validate",
                            ["image"] = "fluid:latest",
                            ["command"] = new JsonArray("fluid", "validate"),
                            ["args"] = new JsonArray($"/etc/fluid-agent-test/{job}/check.yaml"),
                            ["volumeMounts"] = new JsonArray(new JsonObject { ["name"] = "config", ["mountPath"] = $"/etc/fluid-agent-test/{job}" }),
                        }),
                        ["volumes"] = new JsonArray(new JsonObject
                        {
                            ["name"] = "config",
                            ["configMap"] = new JsonObject { ["name"] = job, ["items"] = new JsonArray(new JsonObject { ["key"] = "dataset.yaml", ["path"] = "check.yaml" }) },
                        }),
                    },
                },
            },
        }, "default");
        try
        {
            var done = await agent.Wait("the Job to finish", async () =>
            {
                var current = await jobs.GetAsync(job, "default");
                return current["status"]?["conditions"]?.AsArray().Any(c => c!["type"]!.GetValue<string>() is "Complete" or "Failed") == true ? current : null;
            }, 40);
            var conditions = done["status"]!["conditions"]!.AsArray().Select(c => c!["type"]!.GetValue<string>()).ToList();
            if (valid)
            {
                Assert.Contains("Complete", conditions);
                Assert.Equal(1, done["status"]!["succeeded"]!.GetValue<int>());
            }
            else
            {
                Assert.Contains("Failed", conditions);
                Assert.Equal(2, done["status"]!["failed"]!.GetValue<int>());
                var pod = (await agent.PodsAsync($"job-name={job}")).First();
                Assert.Equal("Failed", pod["status"]!["phase"]!.GetValue<string>());
                Assert.NotEqual(0, pod["status"]!["containerStatuses"]![0]!["state"]!["terminated"]!["exitCode"]!.GetValue<int>());
                var log = Directory.GetFiles(agent.AgentDirectory, "validate.log", SearchOption.AllDirectories).Select(File.ReadAllText).First(t => t.Contains("nope", StringComparison.Ordinal));
                Assert.Contains("exited with code", log, StringComparison.Ordinal);
            }
        }
        finally
        {
            await jobs.DeleteAsync(job, "default", new Kube.Resources.DeleteOptions { PropagationPolicy = Kube.Resources.PropagationPolicy.Background });
        }
    }

    [Fact]
    public async Task A_pod_of_another_image_waits_with_a_reason_that_says_why()
    {
        var pods = agent.Client.Resource("v1", "Pod");
        await pods.CreateAsync(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = "nginx" },
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "web", ["image"] = "nginx:1.27" }) },
        }, "default");
        try
        {
            var pod = await agent.Wait("a waiting reason", async () =>
            {
                var current = await pods.GetAsync("nginx", "default");
                return current["status"]?["containerStatuses"]?[0]?["state"]?["waiting"]?["reason"] is not null ? current : null;
            });
            Assert.Equal(Node, pod["spec"]!["nodeName"]!.GetValue<string>());
            Assert.Equal("Pending", pod["status"]!["phase"]!.GetValue<string>());
            var waiting = pod["status"]!["containerStatuses"]![0]!["state"]!["waiting"]!;
            Assert.Equal("ImageNotSupported", waiting["reason"]!.GetValue<string>());
            Assert.Contains("nginx:1.27", waiting["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        finally
        {
            await pods.DeleteAsync("nginx", "default");
        }
    }

    [Fact]
    public async Task Deleting_a_pod_stops_its_process_and_leaves_no_pid_file()
    {
        var pods = agent.Client.Resource("v1", "Pod");
        var port = TestPorts.Free();
        await CreateSecretAsync("lonely-token", "token", "another-token-value");
        await pods.CreateAsync(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = "lonely", ["labels"] = new JsonObject { ["app"] = "lonely" } },
            ["spec"] = new JsonObject
            {
                ["terminationGracePeriodSeconds"] = 5,
                ["containers"] = new JsonArray(new JsonObject
                {
                    ["name"] = "master",
                    ["image"] = "fluid",
                    ["env"] = new JsonArray(new JsonObject { ["name"] = "POD_IP", ["valueFrom"] = new JsonObject { ["fieldRef"] = new JsonObject { ["fieldPath"] = "status.podIP" } } }),
                    ["args"] = new JsonArray("cache", "master", "--data-dir", Path.Combine(agent.DataDirectory, "lonely"), "--listen", $"http://$(POD_IP):{port}", "--token-file", "/run/fluid-agent-test/lonely/token"),
                    ["volumeMounts"] = new JsonArray(new JsonObject { ["name"] = "token", ["mountPath"] = "/run/fluid-agent-test/lonely", ["readOnly"] = true }),
                    ["readinessProbe"] = new JsonObject { ["tcpSocket"] = new JsonObject { ["port"] = port }, ["periodSeconds"] = 1 },
                }),
                ["volumes"] = new JsonArray(new JsonObject { ["name"] = "token", ["secret"] = new JsonObject { ["secretName"] = "lonely-token" } }),
            },
        }, "default");
        var pod = await agent.Wait("the pod to be ready", async () =>
        {
            var current = await pods.GetAsync("lonely", "default");
            return current["status"]?["conditions"]?.AsArray().Any(c => c!["type"]!.GetValue<string>() == "Ready" && c["status"]!.GetValue<string>() == "True") == true ? current : null;
        }, 30);
        var pid = Pid(pod)!.Value;
        Assert.True(Alive(pid));
        var pidFiles = Directory.GetFiles(agent.AgentDirectory, "master.pid", SearchOption.AllDirectories).Where(f => f.Contains(pod["metadata"]!["uid"]!.GetValue<string>(), StringComparison.Ordinal)).ToList();
        Assert.Single(pidFiles);

        await pods.DeleteAsync("lonely", "default");
        await agent.Wait("the process to end", () => Task.FromResult(Alive(pid) ? null : "gone"), 15);
        await agent.Wait("the pid file to go", () => Task.FromResult(File.Exists(pidFiles[0]) ? null : "gone"), 5);
    }

    [Fact]
    public async Task A_crashing_container_is_restarted_with_back_off_and_shows_CrashLoopBackOff()
    {
        var pods = agent.Client.Resource("v1", "Pod");
        await pods.CreateAsync(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = "crasher" },
            ["spec"] = new JsonObject
            {
                ["restartPolicy"] = "Always",
                ["containers"] = new JsonArray(new JsonObject { ["name"] = "crash", ["image"] = "fluid", ["args"] = new JsonArray("validate", "/nonexistent/fluid-agent-test.yaml") }),
            },
        }, "default");
        try
        {
            var pod = await agent.Wait("two restarts", async () =>
            {
                var current = await pods.GetAsync("crasher", "default");
                return current["status"]?["containerStatuses"]?[0]?["restartCount"]?.GetValue<int>() >= 2 ? current : null;
            }, 30);
            Assert.Equal("Running", pod["status"]!["phase"]!.GetValue<string>());
            Assert.NotEqual(0, pod["status"]!["containerStatuses"]![0]!["lastState"]!["terminated"]!["exitCode"]!.GetValue<int>());
            // Between a restart and the next crash the container runs and, having no readiness probe, is ready;
            // while it waits out its back-off it must not be.
            var waiting = await agent.Wait("the CrashLoopBackOff reason", async () =>
            {
                var current = (await pods.GetAsync("crasher", "default"))["status"]?["containerStatuses"]?[0];
                return current?["state"]?["waiting"]?["reason"]?.GetValue<string>() == "CrashLoopBackOff" ? current : null;
            }, 15);
            Assert.False(waiting["ready"]!.GetValue<bool>());
            Assert.NotEqual(0, waiting["lastState"]!["terminated"]!["exitCode"]!.GetValue<int>());
        }
        finally
        {
            await pods.DeleteAsync("crasher", "default");
        }
    }

    [Fact]
    public async Task A_new_agent_kills_processes_an_earlier_agent_left_behind()
    {
        using var orphan = System.Diagnostics.Process.Start("sleep", "60");
        var data = Directory.CreateTempSubdirectory("fluidd-agent-leftover-").FullName;
        try
        {
            var podDirectory = Path.Combine(data, "agent", "pods", "default_gone_0000");
            Directory.CreateDirectory(podDirectory);
            var ticks = File.ReadAllText($"/proc/{orphan.Id}/stat").Split(") ")[1].Split(' ')[19];
            File.WriteAllText(Path.Combine(podDirectory, "main.pid"), $"{orphan.Id} {ticks}\n");
            // Clients find fluidd by its kubeconfig: by the time it is written, the old process must be dead already.
            using var stopWatching = new CancellationTokenSource();
            using var watching = new ManualResetEventSlim();
            var runningWhenReachable = Task.Factory.StartNew(() =>
            {
                watching.Set();
                while (!File.Exists(Path.Combine(data, "kubeconfig")) && !stopWatching.IsCancellationRequested)
                {
                    Thread.Sleep(1);
                }

                var stat = $"/proc/{orphan.Id}/stat";
                return File.Exists(stat) && File.ReadAllText(stat).Split(") ")[1][0] != 'Z';
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            watching.Wait();
            await using (var server = await Hosting.FluiddServer.StartAsync(new Hosting.FluiddOptions
            {
                DataDirectory = data,
                Port = 0,
                NodeAgent = new Embedded.Agent.NodeAgentOptions { DataDirectory = Path.Combine(data, "agent"), NodeName = "leftover-node" },
            }))
            {
                stopWatching.Cancel();
                Assert.False(await runningWhenReachable, "the process recorded by an earlier agent still ran when the API became reachable");
                Assert.True(orphan.WaitForExit(TimeSpan.FromSeconds(5)), "the process recorded by an earlier agent still runs");
                Assert.False(File.Exists(Path.Combine(podDirectory, "main.pid")));
            }
        }
        finally
        {
            if (!orphan.HasExited)
            {
                orphan.Kill();
            }

            Directory.Delete(data, recursive: true);
        }
    }

    private async Task CreateSecretAsync(string name, string key, string value)
    {
        try
        {
            await agent.Client.Resource("v1", "Secret").CreateAsync(new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Secret",
                ["metadata"] = new JsonObject { ["name"] = name },
                ["data"] = new JsonObject { [key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) },
            }, "default");
        }
        catch (KubeApiException e) when (e.IsAlreadyExists)
        {
        }
    }
}
