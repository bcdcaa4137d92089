#pragma once
// Coroutines a replay or a subscription runs beside its caller (read-ahead, the trailing-window
// read). Each gets its own cancellation signal, so that their owner (or repo::close) ends them
// all at once with terminal cancellation: a task waiting for a response or a timer resumes at
// once with operation_aborted and sends nothing more. Tasks hold what they use (shared_ptrs),
// so a task ending after its owner is gone touches no freed memory.
//
// Signals are emitted on the executor, never on the caller's thread: co_spawn hands an emission
// made elsewhere to the task's executor with a pointer into the signal, which a task finishing
// first would free (its completion holds the last reference to this object). On the executor
// the emission is delivered at once, while this object is held by the emitting handler.

#include <cstddef>
#include <exception>
#include <list>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>

namespace evstore {

class background_tasks : public std::enable_shared_from_this<background_tasks> {
 public:
  explicit background_tasks(boost::asio::any_io_executor executor)
      : executor_(std::move(executor)) {}
  background_tasks(const background_tasks&) = delete;
  background_tasks& operator=(const background_tasks&) = delete;

  /// Runs `task`; `done` gets what co_spawn gives a completion handler. Called on the executor
  /// (from the owner's coroutines), so the task runs to its first suspension at once: with Asio
  /// 1.81 a cancellation reaching a co_spawned coroutine before it has started escapes the
  /// io_context's run() as an exception. A task spawned after cancel() is cancelled at its first
  /// suspension.
  template <class T, class Handler>
  void spawn(boost::asio::awaitable<T> task, Handler done) {
    std::list<entry>::iterator slot;
    {
      const std::lock_guard lock{mutex_};
      prune();
      slot = entries_.emplace(entries_.end());
    }
    boost::asio::co_spawn(
        executor_, std::move(task),
        boost::asio::bind_cancellation_slot(
            slot->signal.slot(),
            [self = shared_from_this(), slot, done = std::move(done)](auto&&... results) mutable {
              {
                const std::lock_guard lock{self->mutex_};
                slot->finished = true;
              }
              std::move(done)(std::forward<decltype(results)>(results)...);
            }));
    if (cancelled()) emit_on_executor();
  }

  /// Emits terminal cancellation to every task still running (on the executor: at once when
  /// called there), and to every later one.
  void cancel() {
    {
      const std::lock_guard lock{mutex_};
      cancelled_ = true;
    }
    emit_on_executor();
  }

  bool cancelled() const {
    const std::lock_guard lock{mutex_};
    return cancelled_;
  }

 private:
  struct entry {
    boost::asio::cancellation_signal signal;
    bool finished = false;
  };

  void emit_on_executor() {
    boost::asio::dispatch(executor_, [self = shared_from_this()] {
      std::vector<boost::asio::cancellation_signal*> running;
      {
        const std::lock_guard lock{self->mutex_};
        self->prune();
        for (entry& task : self->entries_) running.push_back(&task.signal);
      }
      // Outside the lock: an emission may complete a task's operation at once.
      for (boost::asio::cancellation_signal* signal : running)
        signal->emit(boost::asio::cancellation_type::terminal);
    });
  }

  /// Drops the signals of finished tasks. Never called from a task's completion handler, which
  /// runs while co_spawn still holds the task's cancellation state (kept in the signal).
  void prune() {
    entries_.remove_if([](const entry& e) { return e.finished; });
  }

  boost::asio::any_io_executor executor_;
  mutable std::mutex mutex_;
  std::list<entry> entries_;
  bool cancelled_ = false;
};

}  // namespace evstore
