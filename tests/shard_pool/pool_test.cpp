// ShardPool's decisions, driven step by step through a fake transport: no processes, no
// sockets, and the transport's events delivered by the test itself.
#include <atomic>
#include <chrono>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <switchyard/errors.hpp>

#include "shard/frame.hpp"
#include "shard/shard_pool.hpp"
#include "shard/transport.hpp"

namespace switchyard::test {

namespace {

using detail::Frame;
using detail::FrameType;
using detail::Verdict;
using std::chrono::milliseconds;

// FakeTransport records what the pool asks of it; the test plays the shards.
class FakeTransport final : public detail::Transport {
 public:
  struct Sent {
    std::size_t shard;
    std::uint64_t link;
    Frame frame;
  };

  explicit FakeTransport(std::size_t slots) : slots_(slots) {}
  std::size_t slots() const noexcept override { return slots_; }
  void open(Events& events) override { events_ = &events; }
  void start(std::size_t shard, milliseconds delay) override { starts.emplace_back(shard, delay); }
  bool send(std::size_t shard, std::uint64_t link, std::string_view bytes) override {
    detail::FrameReader reader;
    reader.feed(bytes.data(), bytes.size());
    sent.push_back({shard, link, *reader.next()});
    return true;
  }
  void expect_answers(bool) noexcept override {}
  void stop() noexcept override {}

  Events& events() { return *events_; }

  std::vector<std::pair<std::size_t, milliseconds>> starts;
  std::vector<Sent> sent;

 private:
  std::size_t slots_;
  Events* events_ = nullptr;
};

// Job records how the pool ended it.
struct Job final : detail::ShardJob {
  Job(std::string_view name, bool again) {
    task = name;
    idempotent = again;
    detail::append_frame(frame, FrameType::call, 0, name, {});
  }
  bool answered(Frame&& answer) noexcept override {
    result = answer.payload;
    return result != "undecodable";
  }
  void failed(std::exception_ptr e) noexcept override {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      error = x.what();
    }
  }
  std::string result;
  std::string error;
};

// Pool is a ShardPool over a FakeTransport. Declare jobs before it: the pool ends the calls it
// still holds when it stops.
struct Pool {
  Pool(std::size_t slots, std::size_t inflight)
      : Pool(std::make_unique<FakeTransport>(slots), inflight) {}
  FakeTransport& t;
  detail::ShardPool pool;

 private:
  Pool(std::unique_ptr<FakeTransport> owned, std::size_t inflight)
      : t(*owned), pool(std::move(owned), inflight) {}
};

Frame answer(const FakeTransport::Sent& s, std::string payload, std::uint64_t run_ns = 400'000) {
  Frame f;
  f.type = FrameType::result;
  f.id = s.frame.id;
  f.run_ns = run_ns;
  f.payload = std::move(payload);
  return f;
}

}  // namespace

TEST_CASE("calls go to the least busy shard, a few ahead, and the rest wait in the pool",
          "[shard-pool]") {
  std::vector<Job> jobs(6, Job("k", false));  // before the pool, which ends them when it stops
  Pool p(2, 8);
  FakeTransport& t = p.t;
  detail::ShardPool& pool = p.pool;
  pool.submit(&jobs[0]);
  REQUIRE(t.starts.size() == 2);  // the first call starts every shard
  CHECK(t.sent.empty());          // none is up yet: the call waits in the pool
  t.events().on_up(0, 11, "fake 0");
  t.events().on_up(1, 12, "fake 1");
  for (std::size_t i = 1; i < 6; ++i) pool.submit(&jobs[i]);
  // Two calls ahead per shard (no call time known yet), alternating: four sent, two queued.
  REQUIRE(t.sent.size() == 4);
  CHECK((t.sent[0].shard == 0 && t.sent[1].shard == 1 && t.sent[2].shard == 0 &&
         t.sent[3].shard == 1));
  CHECK((t.sent[0].link == 11 && t.sent[1].link == 12));
  CHECK(t.events().on_frame(1, 12, answer(t.sent[1], "r1")) == Verdict::taken);
  CHECK(jobs[1].result == "r1");
  REQUIRE(t.sent.size() == 5);  // the answer made room on shard 1
  CHECK(t.sent[4].shard == 1);
  CHECK(pool.load().inflight == 5);
  pool.stop();
}

TEST_CASE("a lost shard fails its calls, and an idempotent call runs again once", "[shard-pool]") {
  Job once("once", false);
  Job again("again", true);
  Pool p(2, 8);
  FakeTransport& t = p.t;
  detail::ShardPool& pool = p.pool;
  pool.submit(&once);
  t.events().on_up(0, 1, "pid 100");
  pool.submit(&again);
  REQUIRE(t.sent.size() == 2);
  t.events().on_up(1, 2, "pid 200");
  t.events().on_down(0, 1, "was killed by signal 9 (Killed)", true);
  CHECK(once.error ==
        "switchyard: a 'once' call was lost: shard 0 (pid 100) was killed by signal "
        "9 (Killed)");
  CHECK(again.error.empty());
  REQUIRE(t.sent.size() == 3);  // sent again, to the shard that is left
  CHECK(t.sent[2].shard == 1);
  CHECK(t.sent[2].frame.id == t.sent[1].frame.id);
  t.events().on_down(1, 2, "exited with status 7", true);
  CHECK(again.error ==
        "switchyard: a 'again' call was lost: shard 1 (pid 200) exited with status 7");
  // A frame on a link that is gone is dropped; an answer to a call never sent is an error.
  CHECK(t.events().on_frame(0, 1, answer(t.sent[0], "late")) == Verdict::taken);
  t.events().on_up(0, 3, "pid 300");
  Frame stray = answer(t.sent[0], "stray");
  stray.id = 999;
  CHECK(t.events().on_frame(0, 3, std::move(stray)) == Verdict::unasked);
  pool.stop();
}

TEST_CASE("an answer its call cannot decode breaks the link that carried it", "[shard-pool]") {
  Job job("k", false);
  Pool p(1, 4);
  FakeTransport& t = p.t;
  detail::ShardPool& pool = p.pool;
  pool.submit(&job);
  t.events().on_up(0, 1, "pid 100");
  REQUIRE(t.sent.size() == 1);
  CHECK(t.events().on_frame(0, 1, answer(t.sent[0], "undecodable")) == Verdict::malformed);
  CHECK(detail::broken_link(Verdict::malformed, 7) == "its answer to call 7 did not decode");
  pool.stop();
}

TEST_CASE("a slot that keeps dying restarts later and later, until a shard answers",
          "[shard-pool]") {
  Job first("k", false);
  Job second("k", false);
  Pool p(1, 4);
  FakeTransport& t = p.t;
  detail::ShardPool& pool = p.pool;
  pool.submit(&first);
  for (std::uint64_t link = 1; link <= 9; ++link) {
    t.events().on_up(0, link, "pid");
    t.events().on_down(0, link, "was killed by signal 11 (Segmentation fault)", true);
  }
  std::vector<milliseconds> delays;
  for (std::size_t i = 1; i < t.starts.size(); ++i) delays.push_back(t.starts[i].second);
  CHECK(delays == std::vector<milliseconds>{milliseconds(0), milliseconds(10), milliseconds(20),
                                            milliseconds(40), milliseconds(80), milliseconds(160),
                                            milliseconds(320), milliseconds(640),
                                            milliseconds(1000)});
  // A shard that answers resets the backoff.
  t.events().on_up(0, 10, "pid");
  pool.submit(&second);
  CHECK(t.events().on_frame(0, 10, answer(t.sent.back(), "ok")) == Verdict::taken);
  t.events().on_down(0, 10, "exited with status 0", true);
  CHECK(t.starts.back().second == milliseconds(0));
  CHECK(pool.load().restarts == 10);
  pool.stop();
}

TEST_CASE("when no shard can start, waiting and later calls fail at once", "[shard-pool]") {
  Job queued("k", false);
  Job later("k", false);
  Pool p(1, 4);
  FakeTransport& t = p.t;
  detail::ShardPool& pool = p.pool;
  pool.submit(&queued);
  t.events().on_down(0, 0, "could not be started: the shard zygote was killed by signal 9", false);
  CHECK_THAT(queued.error, Catch::Contains("could not be started"));
  pool.submit(&later);
  CHECK_THAT(later.error, Catch::Contains("could not be started"));
  pool.stop();
}

TEST_CASE("a submitter waits for room, and close() fails it with the pool's error",
          "[shard-pool]") {
  Job held("k", false);
  Job waiting("k", false);
  Pool p(1, 1);
  FakeTransport& t = p.t;
  detail::ShardPool& pool = p.pool;
  t.events().on_up(0, 1, "pid");
  pool.submit(&held);
  std::atomic<bool> returned{false};
  std::thread submitter([&] {
    pool.submit(&waiting);
    returned = true;
  });
  // The submitter cannot get in: the pool's one place is taken and nothing answers.
  std::this_thread::sleep_for(milliseconds(50));
  CHECK_FALSE(returned.load());
  CHECK(t.sent.size() == 1);
  pool.close(std::make_exception_ptr(TaskCancelled("closed for the test")));
  submitter.join();
  CHECK(held.error == "closed for the test");
  CHECK(waiting.error == "closed for the test");
  pool.stop();
}

}  // namespace switchyard::test
