//! Owning a shared-memory file and the handles built on it (the `owned_ring` example and its
//! test): a [`Mailbox`] keeps the mapping, an MPSC ring consumer and an epoch in one struct;
//! each [`Sender`] keeps a producer and an epoch and can move to another thread.

use std::error::Error;
use std::path::Path;

use inos_epoch::Epoch;
use inos_layout::shm::ShmRegion;
use inos_layout::{
    create_or_attach, Attachment, Layout, LayoutBuilder, Owned, RegionKind, Role, SharedRegion,
    WaitPolicy,
};
use inos_ring::{Mpsc, OwnedConsumer, OwnedProducer, Ring};

/// Errors of this module.
pub type Res<T> = Result<T, Box<dyn Error + Send + Sync>>;

/// Capacity of the ring in bytes.
pub const RING_CAPACITY: u32 = 64 * 1024;

/// The region: a header, one cache-line pair of epochs, the ring.
pub const LAYOUT: Layout = LayoutBuilder::new(128 * 1024)
    .region("signals", 128, 128, RegionKind::EPOCHS)
    .rest("ring", 128, RegionKind::RING)
    .build_checked();

/// The receiving side: owns the mapping (through its handles), the ring's consumer role and the
/// `sent` epoch. No lifetime parameter: it can live in a `static`, an `Arc`, another struct.
#[derive(Debug)]
pub struct Mailbox {
    attachment: Owned<Attachment<'static>>,
    rx: OwnedConsumer<Mpsc>,
    sent: Owned<Epoch<'static>>,
}

/// A sending side: a producer of the ring and the `sent` epoch, with the mapping they live in.
#[derive(Debug)]
pub struct Sender {
    tx: OwnedProducer<Mpsc>,
    sent: Owned<Epoch<'static>>,
}

/// What [`run`] saw.
#[derive(Debug)]
pub struct Report {
    /// Messages delivered from each producer (each checked to arrive in order, exactly once).
    pub per_producer: Vec<u64>,
    /// Messages delivered in all.
    pub delivered: u64,
    /// The `sent` epoch at the end (one signal per message).
    pub signals: u32,
}

impl Mailbox {
    /// Opens (or creates) the region file at `path`, formats it if this party is first (layout,
    /// then the ring), and takes the ring's consumer role. The party that created the file
    /// removes it when its mapping is finally dropped.
    pub fn open(path: &Path) -> Res<(Self, Role)> {
        let shm = ShmRegion::open_or_create(path, LAYOUT.total_size())?;
        let created = shm.created();
        let shared: SharedRegion = shm.remove_on_drop(created).into_shared();

        let mut role = Role::Attached;
        let attachment: Owned<Attachment<'static>> = shared.try_own(|r| {
            let (a, r) = create_or_attach(r, &LAYOUT, WaitPolicy::default())?;
            role = r;
            Res::Ok(a)
        })?;
        if role == Role::Formatted {
            let ring = attachment.get().get("ring").ok_or("no ring region")?;
            Ring::<Mpsc>::init(ring, RING_CAPACITY)?;
        }
        let rx: OwnedConsumer<Mpsc> = attachment.try_derive(|a, _| {
            let ring = a.get("ring").ok_or("no ring region")?;
            Res::Ok(Ring::<Mpsc>::attach(ring)?.consumer()?)
        })?;
        let sent = attachment.try_derive(|a, _| {
            let signals = a.get("signals").ok_or("no signals region")?;
            Res::Ok(Epoch::new(signals, 0)?)
        })?;
        Ok((
            Self {
                attachment,
                rx,
                sent,
            },
            role,
        ))
    }

    /// A new sender on the same mapping (an MPSC ring takes any number).
    pub fn sender(&self) -> Res<Sender> {
        let tx = self.attachment.try_derive(|a, _| {
            let ring = a.get("ring").ok_or("no ring region")?;
            Res::Ok(Ring::<Mpsc>::attach(ring)?.producer()?)
        })?;
        let sent = self.sent.derive(|e, _| *e);
        Ok(Sender { tx, sent })
    }

    /// The next message, if one is there.
    pub fn try_recv(&mut self, buf: &mut [u8]) -> Res<Option<usize>> {
        match self.rx.with_mut(|c| c.try_pop(buf)) {
            Ok(n) => Ok(Some(n)),
            Err(inos_ring::Error::Empty) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Signals counted so far.
    pub fn signals(&self) -> u32 {
        self.sent.get().load()
    }

    /// The shared region (for a second consumer once this one is gone, an inspector, ...).
    pub fn region(&self) -> &SharedRegion {
        self.attachment.region()
    }
}

impl Sender {
    /// Sends `msg`, yielding while the ring is full, then signals the `sent` epoch.
    pub fn send(&mut self, msg: &[u8]) -> Res<()> {
        loop {
            match self.tx.with_mut(|p| p.try_push(msg)) {
                Ok(()) => break,
                Err(inos_ring::Error::Full) => std::thread::yield_now(),
                Err(e) => return Err(e.into()),
            }
        }
        self.sent.get().signal();
        Ok(())
    }

    /// The shared region this sender keeps alive.
    pub fn region(&self) -> &SharedRegion {
        self.tx.region()
    }
}

/// Runs `producers` senders on their own threads, `per_producer` messages each (8 to 71 bytes:
/// producer id, sequence number, filler), receives them all and checks each producer's arrive
/// exactly once and in order.
pub fn run(path: &Path, producers: u32, per_producer: u64) -> Res<Report> {
    let (mut mailbox, role) = Mailbox::open(path)?;
    if role != Role::Formatted {
        return Err(format!("{} was already formatted", path.display()).into());
    }
    let threads: Vec<_> = (0..producers)
        .map(|id| {
            let mut sender = mailbox.sender()?;
            Res::Ok(std::thread::spawn(move || -> Res<()> {
                for seq in 0..per_producer {
                    let mut msg = [0u8; 72];
                    msg[..4].copy_from_slice(&id.to_le_bytes());
                    msg[4..8].copy_from_slice(&(seq as u32).to_le_bytes());
                    let len = 8 + (seq % 64) as usize;
                    sender.send(&msg[..len])?;
                }
                Ok(()) // the sender drops here: its producer role, then its mapping reference
            }))
        })
        .collect::<Res<_>>()?;

    let mut next = vec![0u64; producers as usize];
    let total = u64::from(producers) * per_producer;
    let mut delivered = 0;
    let mut buf = [0u8; 128];
    while delivered < total {
        let Some(n) = mailbox.try_recv(&mut buf)? else {
            std::thread::yield_now();
            continue;
        };
        let id = u32::from_le_bytes(buf[..4].try_into()?) as usize;
        let seq = u64::from(u32::from_le_bytes(buf[4..8].try_into()?));
        if id >= next.len() || seq != next[id] || n != 8 + (seq % 64) as usize {
            return Err(format!("unexpected message from {id}: seq {seq}, {n} bytes").into());
        }
        next[id] += 1;
        delivered += 1;
    }
    for t in threads {
        t.join().map_err(|_| "a sender panicked")??;
    }
    Ok(Report {
        per_producer: next,
        delivered,
        signals: mailbox.signals(),
    })
    // `mailbox` drops here: the consumer role is released, then the mapping, then the file.
}
